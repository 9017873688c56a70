//! Models: what a user's model ref names ([`model_ref`]), what is known of
//! common models ([`catalog`]), discovery over the control-plane responses
//! ([`discovery`]) and its cache ([`cache`]), and per-model request rules
//! ([`rules`]).

pub mod cache;
pub mod catalog;
pub mod discovery;
pub mod rules;
