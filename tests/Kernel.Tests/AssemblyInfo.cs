// Each QEMU test boots its own machine; CI has two cores, so at most two test classes run at a
// time. xunit's thread limit does not bound async tests, so QemuMachine also caps the number of
// running machines (KERNEL_TESTS_MAX_QEMU, default 2).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
