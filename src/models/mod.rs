//! Models: what a user's model ref names ([`crate::model_ref`]), what is known of
//! common models ([`catalog`]), per-model request rules ([`rules`]), and, with
//! the `discovery` feature, discovery over the control-plane responses
//! (`discovery`) and its cache (`cache`).

#[cfg(feature = "discovery")]
pub mod cache;
pub mod catalog;
#[cfg(feature = "discovery")]
pub mod discovery;
pub mod rules;
