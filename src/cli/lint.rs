//! `aktar mapping lint FILE...`: compile each mapping against its endpoint and print
//! every mistake with its line and column.

use std::path::PathBuf;

use super::Exit;
use crate::mapping;
use crate::providers::Registry;

pub fn run(registry: &Registry, paths: &[PathBuf]) -> Exit {
    let mut exit = Exit::Ok;
    for p in paths {
        match mapping::load_with(p, registry) {
            Ok(m) => println!(
                "{}: ok ({}, {} fields, columns: {})",
                p.display(),
                m.endpoint.id,
                m.fields.len(),
                m.columns.join(", ")
            ),
            Err(errs) => {
                eprintln!("{errs}");
                exit = Exit::Input;
            }
        }
    }
    exit
}
