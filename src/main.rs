fn main() -> std::process::ExitCode {
    aktar::cli::main()
}
