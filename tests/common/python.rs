//! A Python with the official SDKs the tests check us against (boto3, the
//! `openai` client): one venv in the target folder (`<target>/tmp/py-venv`),
//! made once with `python3 -m venv` and filled with pip as tests need packages.
//!
//! When a package cannot be had (no `python3`, no PyPI), [`unavailable`] fails
//! the test under `BEDROCK_LITE_REQUIRE_VECTORS=1` (CI) and says so loudly
//! otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The venv the packages go into.
pub fn venv_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("py-venv")
}

/// The venv's interpreter.
fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// Runs `command`; `Err` says what failed and what it printed.
pub fn run(command: &mut Command) -> Result<Output, String> {
    let shown = format!("{command:?}");
    let output = command
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if output.status.success() {
        return Ok(output);
    }
    Err(format!(
        "{shown} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// Whether `python` imports `module`.
fn imports(python: &Path, module: &str) -> bool {
    python.is_file() && run(Command::new(python).args(["-c", &format!("import {module}")])).is_ok()
}

/// A Python that imports `module`: the venv's, made and given `package` with
/// pip when it is missing or lacks it; `Err` says why there is none.
pub fn python_with(module: &str, package: &str) -> Result<PathBuf, String> {
    let venv = venv_dir();
    let python = venv_python(&venv);
    if imports(&python, module) {
        return Ok(python);
    }
    if !python.is_file() {
        if venv.exists() {
            std::fs::remove_dir_all(&venv)
                .map_err(|e| format!("cannot remove the broken venv {}: {e}", venv.display()))?;
        }
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    eprintln!("installing {package} into {} ...", venv.display());
    run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--timeout",
        "30",
        "--retries",
        "2",
        package,
    ]))?;
    if imports(&python, module) {
        Ok(python)
    } else {
        Err(format!("{} still cannot import {module}", python.display()))
    }
}

/// Fails when the SDKs are required (CI), else says loudly that `test` did not run.
pub fn unavailable(package: &str, test: &str, why: &str) {
    let required = std::env::var("BEDROCK_LITE_REQUIRE_VECTORS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{package} could not be installed (BEDROCK_LITE_REQUIRE_VECTORS=1): {why}"
    );
    let package = package.to_uppercase();
    eprintln!(
        "\n!!!! {package} UNAVAILABLE: {test} did NOT run !!!!\n!!!! {why}\n\
         !!!! it needs python3 with venv and pip, and PyPI !!!!\n"
    );
}
