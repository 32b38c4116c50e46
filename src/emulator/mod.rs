//! ARM emulator: a local HTTP server on 127.0.0.1 that behaves like Azure Resource Manager for
//! exactly the resource types aigw deploys. For tests and rehearsals; never on a production path.
