//! The generated clients against an independent emulation of the five real APIs behind the
//! seeds (issue #16). `mock/` serves what the specs say; these servers serve what the real
//! APIs do, as their documentation, the Airbyte manifests the seeds come from and recorded
//! bodies show: their own paging (Yousign cursors, signNow v2 pages, Opsgenie absolute next
//! links, Missive offsets and `until`, EasyPost `before_id`), envelopes, auth checks and field
//! types. Bodies come from hand-written example records in `fixtures/`, with the same traps
//! as the real ones. Each resource runs through its generated blocking client (children
//! through `<child>_all()`) on a clean server and under one `429` and one `503`, and must
//! return every record exactly once. See `docs/robustness.md`, "Emulated real APIs".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod check;
mod data;
mod server;

mod easypost;
mod missive;
mod opsgenie;
mod signnow;
mod yousign;

/// For each resource, `clean::<name>` and `faults::<name>`: `setup(name)` starts the
/// module's emulated API and says which keys the resource must return; `run` drains the
/// resource through the generated client. Attributes before `clean` / `faults` go on that
/// test only (an `#[ignore = "needs <branch>: <reason>"]` for a known cause).
macro_rules! resource_tests {
    ($( $(#[$ca:meta])* clean, $(#[$fa:meta])* faults: $name:ident => |$emu:ident| $run:expr; )*) => {
        mod clean {
            use super::*;
            $(
            $(#[$ca])*
            #[test]
            fn $name() {
                let (emu, want) = setup(stringify!($name));
                let $emu = &emu;
                $crate::check::clean(&emu, stringify!($name), &want, || $run);
            }
            )*
        }
        mod faults {
            use super::*;
            $(
            $(#[$fa])*
            #[test]
            fn $name() {
                let (emu, want) = setup(stringify!($name));
                let $emu = &emu;
                $crate::check::faults(&emu, stringify!($name), &want, || $run);
            }
            )*
        }
    };
}
pub(crate) use resource_tests;
