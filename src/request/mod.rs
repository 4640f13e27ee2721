//! Finding a session in a request: `Cookie` header scanning, chunk reassembly, the Bearer
//! fallback. Shared by every session source.

pub(crate) mod cookies;
