pub mod diagnostic;
pub mod source;
pub mod params;
pub mod suggest;
