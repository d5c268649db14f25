//! Handing freed memory back to the system.
//!
//! glibc's allocator keeps the pages a process freed, for its next allocations; a
//! process that once held a lot (a burst of searches, an indexing run, threading every
//! matter of a large index) would stay at that peak. Whoever has just freed much calls
//! [`hand_back`].

/// Returns the free pages of the allocator's arenas to the system. It costs a few
/// milliseconds; call it after a peak, never per request.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn hand_back() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes the
    // arenas' locks like any allocation does.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators and systems: nothing to do.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn hand_back() {}
