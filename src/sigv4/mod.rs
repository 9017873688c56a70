//! AWS Signature Version 4 request signing (pure: no I/O, the clock is an argument).
