//! pgfork's postmaster: parses the command line, starts the server in the
//! chosen mode, and runs its accept loop until shutdown (in thread mode,
//! under a supervisor process that restarts the server after a crash).

mod backend_start;
mod checkpointer;
mod cli;
mod datadir;
mod limits;
mod listen;
mod lockfile;
mod pool;
mod process;
mod server;
mod signals;
mod supervisor;
mod text_remap;
mod thread;

use clap::Parser;

fn main() {
    let args = cli::Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    signals::die_on_sent_fault_signals();
    if args.mode == cli::Mode::Process && !args.keep_file_text {
        // Before any thread exists: see text_remap.rs.
        match text_remap::anonymize_executable() {
            Ok(n) => tracing::debug!("copied {} kB of code to anonymous memory", n >> 10),
            Err(e) => tracing::warn!("could not copy the code to anonymous memory: {e}"),
        }
    }
    let carrier_processes = args
        .carrier_processes
        .filter(|_| args.mode == cli::Mode::Pool);
    if matches!(args.mode, cli::Mode::Thread | cli::Mode::Pool) && carrier_processes.is_none() {
        // The supervisor forks the threaded server and restarts it after a
        // crash; it returns once the server has shut down.
        std::process::exit(supervisor::run(&args));
    }
    let srv = match server::Server::start(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pgfork: FATAL:  {e}");
            std::process::exit(1);
        }
    };
    // Process mode, or pool mode with carrier processes: this process is
    // the postmaster, single-threaded, forking backends or carriers.
    let carriers = carrier_processes.map(|n| (n, args.pool_size()));
    let mut l = process::ProcessLauncher::new(&srv, carriers);
    srv.run(&mut l);
    drop(srv);
}
