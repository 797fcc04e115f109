// The collector's state is static: tests run one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
