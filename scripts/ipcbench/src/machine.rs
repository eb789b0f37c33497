//! What machine the figures come from: CPU model (/proc/cpuinfo), CPU count
//! and kernel (uname), as printed at the top of the report.

use std::fs;

pub struct Machine {
    pub cpu_model: String,
    pub nproc: usize,
    pub kernel: String,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpu_model = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| cpu_model_from(&s))
            .unwrap_or_else(|| "unknown CPU".to_string());
        let nproc = std::thread::available_parallelism().map_or(1, |n| n.get());
        let kernel = uname().unwrap_or_else(|| "unknown kernel".to_string());
        Machine {
            cpu_model,
            nproc,
            kernel,
        }
    }
}

/// "sysname release (machine)" from uname(2), e.g. "Linux 6.8.0 (x86_64)".
fn uname() -> Option<String> {
    // SAFETY: utsname is plain C data for which all-zero bytes are valid.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uname writes NUL-terminated strings into the struct we own.
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    let field = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Some(format!(
        "{} {} ({})",
        field(&u.sysname),
        field(&u.release),
        field(&u.machine)
    ))
}

/// The first "model name" (x86) or "Model"/"CPU part" style line of
/// /proc/cpuinfo.
fn cpu_model_from(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "cpu model", "Hardware"]
        .iter()
        .find_map(|key| {
            cpuinfo.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == *key && !v.trim().is_empty()).then(|| v.trim().to_string())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_model_name() {
        let s = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) X\nflags\t: fpu\n";
        assert_eq!(cpu_model_from(s).as_deref(), Some("Intel(R) Xeon(R) X"));
        assert_eq!(cpu_model_from("processor: 0\n"), None);
    }
}
