//! Emits the `<crate>_extract` example of a generated crate: streams any resource as JSON
//! lines through the blocking client, with secrets from the environment. It is how a user
//! tries a client: `cargo run -p <crate> --example <crate>_extract -- <resource>`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::names::ident;
use crate::ir::ApiIr;

/// The example's name. It carries the crate's name because example binaries of a workspace
/// share one folder: two crates' `extract` would overwrite each other.
pub fn name(api: &ApiIr) -> String {
    format!("{}_extract", super::crate_ident(&api.api))
}

/// `examples/<name>/main.rs`: the entry point. The code lives in `cli.rs` behind
/// `#[rustfmt::skip]`, because `cargo fmt` would reformat prettyplease's layout.
pub fn extract_main(api: &ApiIr) -> TokenStream {
    let doc = docs::inner(&format!(
        "Streams any resource of the `{}` API as JSON lines:\n`cargo run -p {} --example {} -- <resource> [--base-url URL] [--max-records N] [--arg NAME=VALUE]`.",
        api.api,
        api.api,
        name(api)
    ));
    // //! doc  #[rustfmt::skip] mod cli;  fn main() -> ExitCode { cli::main() }
    quote! {
        #doc

        #[rustfmt::skip]
        mod cli;

        fn main() -> std::process::ExitCode {
            cli::main()
        }
    }
}

/// `examples/<name>/cli.rs`: one match arm per resource; `restgen_runtime::cli` parses the
/// command line and prints the records.
pub fn extract(api: &ApiIr, crate_name: &str) -> TokenStream {
    let krate = proc_macro2::Ident::new(crate_name, proc_macro2::Span::call_site());
    // in the usage block of the docs (the constant is a string literal): one line each
    let names: Vec<String> = api
        .resources
        .iter()
        .map(|r| docs::inline(&r.name))
        .collect();
    let usage = format!(
        "usage: cargo run -p {} --example {} -- <resource> [--base-url URL] [--max-records N] [--arg NAME=VALUE]...\nresources: {}",
        api.api,
        name(api),
        names.join(", ")
    );
    let arms = api.resources.iter().map(|r| {
        let name = r.name.as_str();
        let method = ident(&r.names.method);
        let args = r.args.iter().map(|a| {
            let arg = a.name.as_str();
            // options.arg("sign_req")?
            quote!(options.arg(#arg)?)
        });
        // "users" => print(client.users(options.arg("id")?), options),
        quote!(#name => print(client.#method(#(#args),*), options),)
    });
    let doc = docs::inner(&format!(
        "Streams any resource of the `{}` API as JSON lines.\n\n```text\n{usage}\n```\n\nSecrets come from the environment, `SOURCES__{}__<NAME>`. The command line is \
         `restgen_runtime::cli`'s; this file lists the resources.",
        api.api,
        api.api.to_ascii_uppercase()
    ));
    // const USAGE: &str = ".."; fn run(client, options) { match resource { .. } }
    // pub fn main() -> ExitCode { cli::main(USAGE, |url| builder.build(), run) }
    quote! {
        #doc

        use ::restgen_runtime::cli::{self, print, Options};

        const USAGE: &str = #usage;

        fn run(client: &#krate::blocking::Client, options: &Options) -> Result<usize, String> {
            match options.resource.as_str() {
                #(#arms)*
                other => Err(cli::unknown_resource(other, USAGE)),
            }
        }

        pub fn main() -> std::process::ExitCode {
            cli::main(USAGE, |base_url| {
                let builder = #krate::blocking::Client::builder().from_env();
                match base_url {
                    Some(url) => builder.base_url(url),
                    None => builder,
                }
                .build()
            }, run)
        }
    }
}
