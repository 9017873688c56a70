//! What `lite-chat` and `sdk-chat` share: the command line
//! (`REGION ENDPOINT_URL MODEL PROMPT COUNT`), a current-thread tokio runtime,
//! and the one-line report.

use std::future::Future;

/// Any error, printed by `main`.
pub type Error = Box<dyn std::error::Error>;

/// The command line, parsed.
pub struct Args {
    pub region: String,
    pub endpoint: String,
    pub model: String,
    pub prompt: String,
    pub count: usize,
}

/// Parses the command line of the program `name` and runs `run` on a
/// current-thread runtime.
pub fn drive<F, Fut>(name: &str, run: F) -> Result<(), Error>
where
    F: FnOnce(Args) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [region, endpoint, model, prompt, count] = <[String; 5]>::try_from(args)
        .map_err(|_| format!("usage: {name} REGION ENDPOINT_URL MODEL PROMPT COUNT"))?;
    let count: usize = count.parse()?;
    let args = Args {
        region,
        endpoint,
        model,
        prompt,
        count,
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

/// The report line `run.sh` reads.
pub fn report(events: usize, text_bytes: usize, elapsed_s: f64) {
    println!("events={events} text_bytes={text_bytes} elapsed_s={elapsed_s:.3}");
}
