pub mod diagnostic;
pub mod source;
pub mod params;
pub mod suggest;
pub mod naming;
pub mod regions;
pub mod spec;
