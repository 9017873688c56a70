//! Models: what a user's model ref names ([`model_ref`]).

pub mod model_ref;
