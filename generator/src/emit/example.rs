//! Emits the `<crate>_extract` example of a generated crate: streams any resource as JSON
//! lines through the blocking client, with secrets from the environment. It is how a user
//! tries a client: `cargo run -p <crate> --example <crate>_extract -- <resource>`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs;
use super::names::snake;
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

/// `examples/<name>/cli.rs`: argument parsing and one match arm per resource.
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
        let method = snake(&r.name, &["builder", "from_env", "core", "clone"]);
        let args = r.args.iter().map(|a| {
            let arg = a.name.as_str();
            // arg(options, "sign_req")?
            quote!(arg(options, #arg)?)
        });
        // "users" => print(client.users(arg(options, "id")?), options),
        quote!(#name => print(client.#method(#(#args),*), options),)
    });
    let arg_fn = if api.resources.iter().any(|r| !r.args.is_empty()) {
        // fn arg(options: &Options, name: &str) -> Result<String, String> { .. }
        quote! {
            fn arg(options: &Options, name: &str) -> Result<String, String> {
                options.args.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("resource `{}` needs --arg {name}=VALUE", options.resource))
            }
        }
    } else {
        TokenStream::new()
    };
    let doc = docs::inner(&format!(
        "Streams any resource of the `{}` API as JSON lines.\n\n```text\n{usage}\n```\n\nSecrets come from the environment, `SOURCES__{}__<NAME>`.",
        api.api,
        api.api.to_ascii_uppercase()
    ));
    // fn main() -> ExitCode { parse args; build blocking client from env; match resource { .. } }
    quote! {
        #doc

        use std::io::Write;
        use std::process::ExitCode;

        const USAGE: &str = #usage;

        struct Options {
            resource: String,
            base_url: Option<String>,
            max_records: Option<usize>,
            args: Vec<(String, String)>,
        }

        fn parse() -> Result<Options, String> {
            let mut args = std::env::args().skip(1);
            let mut options = Options { resource: String::new(), base_url: None, max_records: None, args: Vec::new() };
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--base-url" => options.base_url = Some(args.next().ok_or("--base-url needs a URL")?),
                    "--max-records" => {
                        let n = args.next().ok_or("--max-records needs a number")?;
                        options.max_records = Some(n.parse().map_err(|_| format!("--max-records: `{n}` is not a number"))?);
                    }
                    "--arg" => {
                        let pair = args.next().ok_or("--arg needs NAME=VALUE")?;
                        let (name, value) = pair.split_once('=').ok_or(format!("--arg: `{pair}` is not NAME=VALUE"))?;
                        options.args.push((name.to_string(), value.to_string()));
                    }
                    other if options.resource.is_empty() && !other.starts_with('-') => options.resource = other.to_string(),
                    other => return Err(format!("unexpected argument `{other}`")),
                }
            }
            if options.resource.is_empty() {
                return Err("which resource?".to_string());
            }
            Ok(options)
        }

        #arg_fn

        fn print<T: ::serde::Serialize + ::serde::de::DeserializeOwned + Send + 'static>(
            request: ::restgen_runtime::blocking::BlockingRequest<T>,
            options: &Options,
        ) -> Result<usize, String> {
            let request = match options.max_records {
                Some(n) => request.max_records(n),
                None => request,
            };
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let mut count = 0;
            for record in request.iter() {
                let record = record.map_err(|e| e.to_string())?;
                let line = ::restgen_runtime::serde_json::to_string(&record).map_err(|e| e.to_string())?;
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
                count += 1;
            }
            Ok(count)
        }

        fn run(client: &#krate::blocking::Client, options: &Options) -> Result<usize, String> {
            match options.resource.as_str() {
                #(#arms)*
                other => Err(format!("unknown resource `{other}`\n{USAGE}")),
            }
        }

        pub fn main() -> ExitCode {
            let options = match parse() {
                Ok(options) => options,
                Err(e) => {
                    eprintln!("{e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            let mut builder = #krate::blocking::Client::builder().from_env();
            if let Some(url) = &options.base_url {
                builder = builder.base_url(url.clone());
            }
            let client = match builder.build() {
                Ok(client) => client,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match run(&client, &options) {
                Ok(count) => {
                    eprintln!("{count} records");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
