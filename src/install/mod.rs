//! The install and settings page (placement `DEFAULT`, opened by an administrator).

pub mod page;
