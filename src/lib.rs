//! originscan: predicts which origins will make Amazon CloudFront answer 502 Bad Gateway.
//!
//! The data flow: inputs ([`input`]) become [`target::Target`]s; the [`engine`] runs the
//! [`probe`]s on each origin within its limits and deadline; pure [`check`]s turn each
//! [`probe::Observation`] into [`finding::Finding`]s; the [`report`] ranks origins by risk.
//! The [`lab`] is a simulated fleet on loopback that the demo, tests and benchmarks scan.
//! [`lambda`] lints Lambda@Edge function results (`lint-lambda`) without touching the network.

#![warn(unreachable_pub, missing_docs)]

#[cfg(feature = "aws")]
pub mod aws;
pub(crate) mod certificate;
pub mod check;
pub mod cli;
pub mod cloudfront;
pub mod commands;
pub(crate) mod engine;
pub mod finding;
pub mod input;
#[cfg(feature = "lab")]
pub mod lab;
pub mod lambda;
pub mod probe;
pub mod report;
pub mod target;
