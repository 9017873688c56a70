//! [`Settings`]: everything a `Client` needs,
//! resolved once, in one place. Each value comes from the first of: what was
//! given explicitly (a command-line flag, or [`SettingsBuilder`] in code), the
//! environment, the config file, the AWS profile, then the default.
//!
//! | setting | explicit | env | config file | profile | default |
//! | --- | --- | --- | --- | --- | --- |
//! | region | `--region` | `AWS_REGION`, `AWS_DEFAULT_REGION` | `region` | `region` | `us-east-1` |
//! | runtime / control endpoint | `--endpoint-url` | `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` / `AWS_ENDPOINT_URL_BEDROCK`, `AWS_ENDPOINT_URL` | `endpoints.runtime` / `endpoints.control` | `services`, `endpoint_url` | the region's |
//! | credentials | `--profile`, [`SettingsBuilder::credentials`] | `AWS_BEARER_TOKEN_BEDROCK`, `AWS_ACCESS_KEY_ID`... | | the profile's | container, IMDS |
//! | proxies | | `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` | | | none |
//! | extra trusted roots | | `AWS_CA_BUNDLE` | | `ca_bundle` | the system's |
//! | model | `-m` | | `model` | | none |
//! | stream idle timeout | [`SettingsBuilder::timeouts`] | `BEDROCK_LITE_IDLE_TIMEOUT` (seconds) | | | 60 s |
//! | discovery, guardrail, models, embeddings, gateway | | | their keys | | see [`Config`] |
//!
//! An explicit profile (`--profile`) takes the environment's access keys out of
//! the credential chain, as botocore does; `AWS_PROFILE` keeps the SDKs' order.
//!
//! ```no_run
//! use bedrock_lite::{Client, Settings};
//! let settings = Settings::builder().region("eu-west-1").resolve()?;
//! let client = Client::new(settings);
//! # Ok::<(), bedrock_lite::settings::SettingsError>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::config::{self, Config, ConfigError, ConfigLocation};
use crate::credentials::cache::{CredentialsCache, CredentialsProvider};
use crate::credentials::chain::DefaultChain;
use crate::credentials::profile::SharedConfig;
use crate::credentials::region::DEFAULT_REGION;
use crate::credentials::{Auth, CredentialsError};
use crate::endpoint::{self, Endpoint, EndpointError, EndpointSettings, Service};
use crate::env::Env;
use crate::http::{ExtraRoots, HttpClient, HttpError, NetworkClient, ProxySettings, RetryPolicy};
use crate::model_ref::{ModelRef, ModelRefError};

/// The default connect timeout (the AWS SDKs').
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// The default idle timeout: a stream that sends nothing for this long ends;
/// also the wait for the head of a streaming or control-plane response.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The variable that sets the idle timeout, in whole seconds (1 to 86400).
pub const IDLE_TIMEOUT_VAR: &str = "BEDROCK_LITE_IDLE_TIMEOUT";
/// The default wait for a non-streaming runtime response (Converse,
/// InvokeModel, CountTokens, ApplyGuardrail): a long answer takes minutes.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(600);

/// The timeouts a client applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time allowed to connect.
    pub connect: Duration,
    /// A stream that sends nothing for this long ends; also the wait for the
    /// head of a streaming or control-plane response.
    pub idle: Duration,
    /// The wait for a non-streaming runtime response.
    pub response: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: DEFAULT_CONNECT_TIMEOUT,
            idle: DEFAULT_IDLE_TIMEOUT,
            response: DEFAULT_RESPONSE_TIMEOUT,
        }
    }
}

impl Timeouts {
    /// The defaults, with the idle timeout from [`IDLE_TIMEOUT_VAR`] when `env`
    /// sets it; a value that is not a whole number of seconds from 1 to 86400
    /// is an error naming the variable.
    ///
    /// ```
    /// use std::time::Duration;
    /// use bedrock_lite::env::Env;
    /// use bedrock_lite::settings::Timeouts;
    /// let env = Env::from_vars([("BEDROCK_LITE_IDLE_TIMEOUT", "5")]);
    /// assert_eq!(Timeouts::from_env(&env)?.idle, Duration::from_secs(5));
    /// # Ok::<(), bedrock_lite::settings::SettingsError>(())
    /// ```
    pub fn from_env(env: &Env) -> Result<Timeouts, SettingsError> {
        let mut timeouts = Timeouts::default();
        if let Some(text) = env.non_blank_var(IDLE_TIMEOUT_VAR) {
            let seconds = text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| (1..=24 * 3600).contains(s))
                .ok_or_else(|| {
                    SettingsError::Env(format!(
                        "{IDLE_TIMEOUT_VAR} `{}`: expected seconds from 1 to 86400",
                        text.escape_debug()
                    ))
                })?;
            timeouts.idle = Duration::from_secs(seconds);
        }
        Ok(timeouts)
    }
}

/// Which setting gave a value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Given explicitly: a flag, or in code.
    Explicit,
    /// This environment variable.
    Env(&'static str),
    /// The config file.
    ConfigFile,
    /// This AWS profile.
    Profile(String),
    /// Nothing gave one: the default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Explicit => f.write_str("explicit"),
            Origin::Env(name) => write!(f, "env:{name}"),
            Origin::ConfigFile => f.write_str("config file"),
            Origin::Profile(name) => write!(f, "profile:{name}"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A sink for diagnostics: where each call goes, the model rules applied, a
/// guardrail attached. The CLI prints them under `-v`.
pub type NoteSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Everything a client needs, resolved (see the module docs). `Debug` shows
/// no secret.
#[derive(Clone)]
pub struct Settings {
    /// Variables, files and the clock.
    pub env: Env,
    /// The HTTP client every request goes through.
    pub http: Arc<dyn HttpClient>,
    /// Where credentials come from.
    pub credentials: CredentialsProvider,
    /// The profile given explicitly (`--profile`), if any.
    pub profile: Option<String>,
    /// The request region.
    pub region: String,
    /// Where the region came from.
    pub region_origin: Origin,
    /// An endpoint for both services given explicitly (`--endpoint-url`).
    pub endpoint_url: Option<String>,
    /// The runtime endpoint the config file or the profile names, if any.
    pub configured_runtime_url: Option<String>,
    /// The control-plane endpoint the config file or the profile names, if any.
    pub configured_control_url: Option<String>,
    /// The default model (`-m`, else the config file's `model`).
    pub model: Option<ModelRef>,
    /// The config file, validated (discovery, guardrail, models, embeddings, gateway).
    pub config: Config,
    /// Where the config file is (`None`: no home directory to look in).
    pub config_location: Option<ConfigLocation>,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Attempts and backoff for every Bedrock call.
    pub retry: RetryPolicy,
    /// What was noticed while resolving (unknown config keys...), for `-v`.
    pub warnings: Vec<String>,
    /// Files with secrets that other users may read (the config file, the AWS
    /// shared files): always worth saying.
    pub exposed_files: Vec<String>,
    /// Where diagnostics go (none by default).
    pub notes: Option<NoteSink>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("env", &self.env)
            .field("credentials", &self.credentials)
            .field("profile", &self.profile)
            .field("region", &self.region)
            .field("region_origin", &self.region_origin)
            .field("endpoint_url", &self.endpoint_url)
            .field("model", &self.model.as_ref().map(ModelRef::id))
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Why settings could not be resolved. Each message is one line naming the
/// file, variable or value at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingsError {
    /// The config file is unreadable or invalid.
    Config(ConfigError),
    /// The AWS shared files are invalid.
    Profile(CredentialsError),
    /// No endpoint for the region (an invalid region or endpoint URL...).
    Endpoint(EndpointError),
    /// The default model does not parse.
    Model(ModelRefError),
    /// The CA bundle (`AWS_CA_BUNDLE`, the profile's `ca_bundle`) is unusable.
    CaBundle {
        /// Where its path came from: `AWS_CA_BUNDLE`, or the profile's
        /// `ca_bundle` (naming the profile).
        origin: String,
        /// Why it is unusable, naming the file.
        error: HttpError,
    },
    /// An environment variable holds an unusable value (a proxy variable no
    /// `http://` URL, a timeout no number of seconds); the message names it.
    Env(String),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Config(e) => write!(f, "{e}"),
            SettingsError::Profile(e) => write!(f, "{e}"),
            SettingsError::Endpoint(e) => write!(f, "{e}"),
            SettingsError::Model(e) => write!(f, "{e}"),
            SettingsError::CaBundle { origin, error } => write!(f, "{origin}: {error}"),
            SettingsError::Env(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingsError::Config(e) => Some(e),
            SettingsError::Profile(e) => Some(e),
            SettingsError::Endpoint(e) => Some(e),
            SettingsError::Model(e) => Some(e),
            SettingsError::CaBundle { error, .. } => Some(error),
            SettingsError::Env(_) => None,
        }
    }
}

/// What to resolve settings from; every value is optional.
#[derive(Default)]
pub struct SettingsBuilder {
    env: Option<Env>,
    http: Option<Arc<dyn HttpClient>>,
    credentials: Option<Auth>,
    profile: Option<String>,
    region: Option<String>,
    endpoint_url: Option<String>,
    config_file: Option<PathBuf>,
    model: Option<ModelRef>,
    timeouts: Option<Timeouts>,
    retry: Option<RetryPolicy>,
    notes: Option<NoteSink>,
}

impl Settings {
    /// Settings from the process's environment, config file and AWS profile.
    pub fn resolve() -> Result<Settings, SettingsError> {
        Settings::builder().resolve()
    }

    /// A builder for explicit values.
    pub fn builder() -> SettingsBuilder {
        SettingsBuilder::default()
    }

    /// Whether the region was given explicitly or by `AWS_REGION` /
    /// `AWS_DEFAULT_REGION` (then a model found by discovery in another region
    /// is still called in this one).
    pub fn region_is_explicit(&self) -> bool {
        matches!(self.region_origin, Origin::Explicit | Origin::Env(_))
    }

    /// The endpoint of `service` for requests in `region`.
    pub fn endpoint(&self, service: Service, region: &str) -> Result<Endpoint, EndpointError> {
        let configured_url = match service {
            Service::BedrockRuntime => self.configured_runtime_url.as_deref(),
            Service::Bedrock => self.configured_control_url.as_deref(),
        };
        let settings = EndpointSettings {
            region: Some(region),
            endpoint_url: self.endpoint_url.as_deref(),
            configured_url,
        };
        endpoint::resolve(service, &settings, &self.env)
    }

    /// Passes `note` to the note sink, if there is one.
    pub fn note(&self, note: impl FnOnce() -> String) {
        if let Some(sink) = &self.notes {
            sink(&note());
        }
    }
}

impl SettingsBuilder {
    /// Reads variables, files and the clock from `env` instead of the process's.
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// Sends every request through `http` (a test replayer, a custom client).
    pub fn http(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Uses these credentials or this bearer token instead of the chain.
    pub fn credentials(mut self, auth: Auth) -> Self {
        self.credentials = Some(auth);
        self
    }

    /// Uses this AWS profile (`--profile`): it also takes the environment's
    /// access keys out of the chain.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// The request region (`--region`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An endpoint for both services (`--endpoint-url`); `http://` only to loopback.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Reads this config file instead of `$BEDROCK_LITE_CONFIG` or the default path.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// The default model (`-m`).
    pub fn model(mut self, model: ModelRef) -> Self {
        self.model = Some(model);
        self
    }

    /// The timeouts (instead of [`Timeouts::from_env`]).
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// Attempts and backoff for every Bedrock call.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Where diagnostics go.
    pub fn notes(mut self, sink: NoteSink) -> Self {
        self.notes = Some(sink);
        self
    }

    /// Resolves everything (module docs): reads the config file and the AWS
    /// shared files, no network.
    pub fn resolve(self) -> Result<Settings, SettingsError> {
        let env = self.env.unwrap_or_else(Env::real);
        let config_location = config::locate(self.config_file.as_deref(), &env);
        let (config, warnings) = match &config_location {
            Some(location) => Config::load(location).map_err(SettingsError::Config)?,
            None => (Config::default(), Vec::new()),
        };
        let shared =
            SharedConfig::load(&env, self.profile.as_deref()).map_err(SettingsError::Profile)?;
        let timeouts = match self.timeouts {
            Some(timeouts) => timeouts,
            None => Timeouts::from_env(&env)?,
        };
        let (region, region_origin) = resolve_region(self.region, &env, &config, &shared);
        let model = match self.model {
            Some(model) => Some(model),
            None => config
                .model
                .as_deref()
                .map(ModelRef::parse)
                .transpose()
                .map_err(SettingsError::Model)?,
        };
        let http = match self.http {
            Some(http) => http,
            None => {
                // `AWS_CA_BUNDLE`, else the profile's `ca_bundle`: extra trusted roots.
                let bundle = match env.non_blank_var("AWS_CA_BUNDLE") {
                    Some(path) => Some((path.to_owned(), "AWS_CA_BUNDLE".to_owned())),
                    None => shared.setting("ca_bundle").map(|path| {
                        let origin = format!("`ca_bundle` in profile `{}`", shared.selected_name());
                        (path.to_owned(), origin)
                    }),
                };
                let roots = match bundle {
                    Some((path, origin)) => {
                        ExtraRoots::from_pem_file(&env.resolve_path(Path::new(&path)))
                            .map_err(|error| SettingsError::CaBundle {
                                origin: origin.clone(),
                                error,
                            })?
                            .with_origin(origin)
                    }
                    None => ExtraRoots::default(),
                };
                let proxies = ProxySettings::from_env(&env);
                proxies.check().map_err(SettingsError::Env)?;
                Arc::new(NetworkClient::from_proxies(proxies).with_extra_roots(roots))
                    as Arc<dyn HttpClient>
            }
        };
        let credentials = match self.credentials {
            Some(auth) => CredentialsProvider::Fixed(auth),
            None => {
                let chain = DefaultChain::new(env.clone(), Arc::clone(&http), self.profile.clone())
                    .with_region(Some(region.clone()));
                let clock_env = env.clone();
                let cache =
                    CredentialsCache::new(chain).with_clock(Arc::new(move || clock_env.now()));
                CredentialsProvider::Cached(Arc::new(cache))
            }
        };
        // The config file's endpoints, else the profile's (the environment's
        // endpoint variables win over both; see `endpoint`).
        let configured_runtime_url =
            config.endpoints.runtime.clone().or_else(|| {
                shared.configured_endpoint_url(&env, "BEDROCK_RUNTIME", "bedrock_runtime")
            });
        let configured_control_url = config
            .endpoints
            .control
            .clone()
            .or_else(|| shared.configured_endpoint_url(&env, "BEDROCK", "bedrock"));
        let exposed_files = [
            config_location.as_ref().map(|l| l.path.clone()),
            Some(env.resolve_path(&shared.locations().credentials)),
            Some(env.resolve_path(&shared.locations().config)),
        ]
        .into_iter()
        .flatten()
        .filter_map(|path| {
            config::shared_mode(&path).map(|mode| {
                format!(
                    "{} is open to other users (mode {mode:04o}); `chmod 600 {}`",
                    path.display(),
                    path.display()
                )
            })
        })
        .collect();
        let settings = Settings {
            env,
            http,
            credentials,
            profile: self.profile,
            region,
            region_origin,
            endpoint_url: self.endpoint_url,
            configured_runtime_url,
            configured_control_url,
            model,
            config,
            config_location,
            timeouts,
            retry: self.retry.unwrap_or(RetryPolicy::STANDARD),
            warnings,
            exposed_files,
            notes: self.notes,
        };
        // Both endpoints must resolve for the request region: a bad region or
        // URL is reported now, not at the first call.
        for service in [Service::BedrockRuntime, Service::Bedrock] {
            settings
                .endpoint(service, &settings.region)
                .map_err(SettingsError::Endpoint)?;
        }
        Ok(settings)
    }
}

/// The region chain: explicit, `AWS_REGION`, `AWS_DEFAULT_REGION`, the config
/// file's `region`, the profile's `region`, `us-east-1`. Blank values count as unset.
fn resolve_region(
    explicit: Option<String>,
    env: &Env,
    config: &Config,
    shared: &SharedConfig,
) -> (String, Origin) {
    let explicit = explicit
        .map(|region| region.trim().to_owned())
        .filter(|region| !region.is_empty());
    if let Some(region) = explicit {
        return (region, Origin::Explicit);
    }
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = env.non_blank_var(var) {
            return (region.to_owned(), Origin::Env(var));
        }
    }
    if let Some(region) = config
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        return (region.to_owned(), Origin::ConfigFile);
    }
    match shared.region() {
        Some(region) => (
            region.to_owned(),
            Origin::Profile(shared.selected_name().to_owned()),
        ),
        None => (DEFAULT_REGION.to_owned(), Origin::Default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "bedrock-lite-settings-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(dir.join(".aws")).expect("temp home");
        dir
    }

    fn env(home: &std::path::Path, vars: &[(&str, &str)]) -> Env {
        let mut env = Env::from_vars(vars.iter().copied());
        env.set_var("HOME", home.to_string_lossy());
        env
    }

    #[test]
    fn the_idle_timeout_from_the_environment() {
        let home = home();
        let resolve = |builder: SettingsBuilder, vars: &[(&str, &str)]| {
            builder
                .config_file(home.join("none.json"))
                .env(env(&home, vars))
                .resolve()
                .map(|settings| settings.timeouts)
        };
        let defaults = resolve(Settings::builder(), &[]).unwrap();
        assert_eq!(defaults, Timeouts::default());
        assert_eq!(defaults.idle, DEFAULT_IDLE_TIMEOUT);
        let set = resolve(Settings::builder(), &[(IDLE_TIMEOUT_VAR, " 7 ")]).unwrap();
        assert_eq!(
            set,
            Timeouts {
                idle: Duration::from_secs(7),
                ..Timeouts::default()
            }
        );
        // Explicit timeouts win over the variable.
        let explicit = Timeouts {
            idle: Duration::from_millis(300),
            ..Timeouts::default()
        };
        let given = resolve(
            Settings::builder().timeouts(explicit),
            &[(IDLE_TIMEOUT_VAR, "7")],
        );
        assert_eq!(given.unwrap(), explicit);
        for bad in ["0", "1.5", "-3", "ten", "86401"] {
            let error = resolve(Settings::builder(), &[(IDLE_TIMEOUT_VAR, bad)])
                .unwrap_err()
                .to_string();
            assert_eq!(
                error,
                format!("{IDLE_TIMEOUT_VAR} `{bad}`: expected seconds from 1 to 86400")
            );
        }
    }

    #[test]
    fn an_unsupported_proxy_is_an_error_naming_its_variable() {
        let home = home();
        let error = Settings::builder()
            .config_file(home.join("none.json"))
            .env(env(&home, &[("ALL_PROXY", "socks5://proxy.corp:1080")]))
            .resolve()
            .err()
            .unwrap();
        assert!(matches!(error, SettingsError::Env(_)), "{error:?}");
        assert!(
            error
                .to_string()
                .starts_with("ALL_PROXY `socks5://proxy.corp:1080`: "),
            "{error}"
        );
    }

    #[test]
    fn the_region_chain_in_order() {
        let home = home();
        std::fs::write(
            home.join(".aws/config"),
            "[default]\nregion = ap-south-1\n[profile other]\nregion = ca-central-1\n",
        )
        .expect("write");
        let config_file = home.join("config.json");
        std::fs::write(&config_file, r#"{"region": "eu-central-1"}"#).expect("write");
        let resolve = |builder: SettingsBuilder, vars: &[(&str, &str)]| {
            let settings = builder.env(env(&home, vars)).resolve().expect("resolves");
            (settings.region, settings.region_origin)
        };
        let with_file = || Settings::builder().config_file(&config_file);
        assert_eq!(
            resolve(
                with_file().region("us-west-2"),
                &[("AWS_REGION", "eu-west-1")]
            ),
            ("us-west-2".into(), Origin::Explicit)
        );
        assert_eq!(
            resolve(with_file(), &[("AWS_REGION", "eu-west-1")]),
            ("eu-west-1".into(), Origin::Env("AWS_REGION"))
        );
        assert_eq!(
            resolve(
                with_file(),
                &[("AWS_DEFAULT_REGION", "eu-west-2"), ("AWS_REGION", " ")]
            ),
            ("eu-west-2".into(), Origin::Env("AWS_DEFAULT_REGION"))
        );
        assert_eq!(
            resolve(with_file(), &[]),
            ("eu-central-1".into(), Origin::ConfigFile)
        );
        let empty_file = home.join("empty.json");
        std::fs::write(&empty_file, "{}").expect("write");
        let without_file = || Settings::builder().config_file(&empty_file);
        assert_eq!(
            resolve(without_file(), &[]),
            ("ap-south-1".into(), Origin::Profile("default".into()))
        );
        assert_eq!(
            resolve(without_file().profile("other"), &[]),
            ("ca-central-1".into(), Origin::Profile("other".into()))
        );
        std::fs::remove_file(home.join(".aws/config")).expect("remove");
        assert_eq!(
            resolve(without_file(), &[]),
            (DEFAULT_REGION.into(), Origin::Default)
        );
    }

    #[test]
    fn bad_values_are_errors_that_name_them() {
        let home = home();
        let empty = home.join("empty.json");
        std::fs::write(&empty, "{}").expect("write");
        let error = Settings::builder()
            .env(env(&home, &[]))
            .region("US EAST")
            .config_file(&empty)
            .resolve()
            .unwrap_err();
        assert!(matches!(error, SettingsError::Endpoint(_)), "{error}");
        assert!(error.to_string().contains("US EAST"), "{error}");
        let error = Settings::builder()
            .env(env(&home, &[]))
            .endpoint_url("http://example.com")
            .config_file(&empty)
            .resolve()
            .unwrap_err();
        assert!(error.to_string().contains("example.com"), "{error}");
        let config_file = home.join("bad-model.json");
        std::fs::write(&config_file, r#"{"model": "no spaces allowed"}"#).expect("write");
        let error = Settings::builder()
            .env(env(&home, &[]))
            .config_file(&config_file)
            .resolve()
            .unwrap_err();
        assert!(error.to_string().contains("no spaces allowed"), "{error}");
    }

    #[test]
    fn a_bad_ca_bundle_names_the_file_and_where_it_was_set() {
        let home = home().join("ca-bundle");
        std::fs::create_dir_all(home.join(".aws")).expect("dirs");
        let empty = home.join("empty.json");
        std::fs::write(&empty, "{}").expect("write");
        // Checked when named: a bundle that is not there (one that is there
        // is parsed at the first https connection, `http::trust`).
        let not_pem = home.join("missing-bundle.pem");
        std::fs::write(
            home.join(".aws/config"),
            format!("[profile corp]\nca_bundle = {}\n", not_pem.display()),
        )
        .expect("write");
        let resolve = |vars: &[(&str, &str)]| {
            Settings::builder()
                .env(env(&home, vars))
                .profile("corp")
                .config_file(&empty)
                .resolve()
                .unwrap_err()
                .to_string()
        };
        let from_env = resolve(&[("AWS_CA_BUNDLE", "/nonexistent/ca.pem")]);
        assert!(
            from_env.starts_with("AWS_CA_BUNDLE: ") && from_env.contains("/nonexistent/ca.pem"),
            "{from_env}"
        );
        let from_profile = resolve(&[]);
        assert!(
            from_profile.starts_with("`ca_bundle` in profile `corp`: ")
                && from_profile.contains(&not_pem.display().to_string()),
            "{from_profile}"
        );
        assert_eq!(from_profile.lines().count(), 1, "{from_profile}");
    }

    #[cfg(unix)]
    #[test]
    fn files_other_users_can_read_are_named() {
        use std::os::unix::fs::PermissionsExt;
        let home = home().join("exposed");
        std::fs::create_dir_all(home.join(".aws")).expect("dirs");
        let credentials = home.join(".aws/credentials");
        let config_file = home.join("config.json");
        std::fs::write(&credentials, "[default]\n").expect("write");
        std::fs::write(&config_file, "{}").expect("write");
        let mode = |path: &std::path::Path, mode| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        mode(&credentials, 0o644);
        mode(&config_file, 0o640);
        let exposed = |_: ()| {
            Settings::builder()
                .env(env(&home, &[]))
                .config_file(&config_file)
                .resolve()
                .expect("resolves")
                .exposed_files
        };
        let found = exposed(());
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found
            .iter()
            .any(|w| w.contains("credentials") && w.contains("0644")));
        assert!(found
            .iter()
            .any(|w| w.contains("config.json") && w.contains("0640")));
        mode(&credentials, 0o600);
        mode(&config_file, 0o600);
        assert!(exposed(()).is_empty());
    }

    #[test]
    fn debug_shows_no_secret() {
        let home = home();
        let empty = home.join("empty.json");
        std::fs::write(&empty, "{}").expect("write");
        let settings = Settings::builder()
            .env(env(&home, &[("AWS_SECRET_ACCESS_KEY", "s3cr3t-env")]))
            .credentials(Auth::SigV4(crate::credentials::Credentials::new(
                "AKIDEXAMPLE",
                "s3cr3t-explicit",
            )))
            .config_file(&empty)
            .resolve()
            .expect("resolves");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
