//! Emits the `<crate>_extract` example of a generated crate: any resource to JSON lines, CSV
//! or Parquet through the async client, with secrets from the environment. It is how a user
//! tries a client: `cargo run -p <crate> --example <crate>_extract -- <resource>`. The
//! command line and the run are `restgen_extract`'s (a dev-dependency); the example only
//! lists the resources and how to build the client.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::fanout::has_all;
use super::names::ident;
use crate::ir::ApiIr;

/// The example's name. It carries the crate's name because example binaries of a workspace
/// share one folder: two crates' `extract` would overwrite each other.
pub fn name(api: &ApiIr) -> String {
    format!("{}_extract", super::crate_ident(&api.api))
}

/// The command line in the docs.
const FLAGS: &str = "<resource> [--base-url URL] [--arg NAME=VALUE]... [--all] [--concurrency N] [--max-records N] [--state FILE] [--format jsonl|csv|parquet] [--out PATH]";

/// `examples/<name>/main.rs`: the entry point. The code lives in `cli.rs` behind
/// `#[rustfmt::skip]`, because `cargo fmt` would reformat prettyplease's layout.
pub fn extract_main(api: &ApiIr) -> TokenStream {
    let doc = docs::inner(&format!(
        "Extracts any resource of the `{}` API:\n`cargo run -p {} --example {} -- {FLAGS}`.",
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

/// `examples/<name>/cli.rs`: one match arm per resource (two for a child, partitioned or
/// windowed resource: its fan-out under `--all`); `restgen_extract` does the rest.
pub fn extract(api: &ApiIr, crate_name: &str) -> TokenStream {
    let krate = proc_macro2::Ident::new(crate_name, proc_macro2::Span::call_site());
    let program = name(api);
    let names = api.resources.iter().map(|r| r.name.as_str());
    let arms = api.resources.iter().map(|r| {
        let name = r.name.as_str();
        let method = ident(&r.names.method);
        let args = r.args.iter().map(|a| {
            let arg = a.name.as_str();
            // options.arg("sign_req")?
            quote!(options.arg(#arg)?)
        });
        // "users" => Job::resource(client.users(options.arg("id")?)),
        let one = quote!(#name => Job::resource(client.#method(#(#args),*)),);
        if !has_all(api, r) {
            return one;
        }
        let all = ident(&r.names.all_method);
        // "followers" if options.all => Job::fan_out(client.followers_all()),
        quote! {
            #name if options.all => Job::fan_out(client.#all()),
            #one
        }
    });
    let doc = docs::inner(&format!(
        "Extracts any resource of the `{}` API.\n\n```text\ncargo run -p {} --example {program} -- {FLAGS}\n```\n\nSecrets come from the environment, `SOURCES__{}__<NAME>`. The command line is \
         `restgen_extract`'s; this file lists the resources.",
        api.api,
        api.api,
        api.api.to_ascii_uppercase()
    ));
    // const PROGRAM: &str = ".."; const RESOURCES: &[&str] = &[..];
    // fn job(client, options) -> Result<Job, String> { Ok(match resource { .. }) }
    // pub fn main() -> ExitCode { extract::main(PROGRAM, RESOURCES, |setup| builder.build(), job) }
    quote! {
        #doc

        use ::restgen_extract::{self as extract, Job, Options};

        const PROGRAM: &str = #program;

        const RESOURCES: &[&str] = &[#(#names),*];

        fn job(client: &#krate::Client, options: &Options) -> Result<Job, String> {
            Ok(match options.resource.as_str() {
                #(#arms)*
                other => return Err(extract::unknown_resource(other, RESOURCES)),
            })
        }

        pub fn main() -> std::process::ExitCode {
            extract::main(PROGRAM, RESOURCES, |setup| {
                let builder = #krate::Client::builder().from_env().hook(setup.hook());
                match setup.base_url() {
                    Some(url) => builder.base_url(url),
                    None => builder,
                }
                .build()
            }, job)
        }
    }
}
