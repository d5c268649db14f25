//! The `protokollsok` command: everything is in [`protokollsok::cli`].

fn main() -> std::process::ExitCode {
    protokollsok::cli::main()
}
