//! Tests of the policy module.
