// The strict formats of page_limit/task_limit and addtask/rmtask: decimal digits with at most one
// trailing newline; ERANGE only for well-formed numbers that are too large.
using Kernel.Abi;
using Kernel.Containers;
using Xunit;

namespace Kernel.Containers.Tests
{
    public class NumbersTests
    {
        [Theory]
        [InlineData("0", 0L)]
        [InlineData("7\n", 7L)]
        [InlineData("2147483647", 2147483647L)]
        [InlineData("2147483647\n", 2147483647L)]
        [InlineData("000012", 12L)]
        public void Limits_in_range_parse(string text, long want)
        {
            Assert.Equal(Errno.None, Numbers.ParseLimit(text, out long v));
            Assert.Equal(want, v);
        }

        [Theory]
        [InlineData("")]
        [InlineData("\n")]
        [InlineData("xx")]
        [InlineData("1xx")]
        [InlineData("1.0")]
        [InlineData("-5")]
        [InlineData("+5")]
        [InlineData(" 5")]
        [InlineData("5 ")]
        [InlineData("5\n\n")]
        [InlineData("0x10")]
        [InlineData("99999999999999999999x")]
        [InlineData(null)]
        public void Malformed_limits_are_einval(string text)
        {
            Assert.Equal(Errno.EINVAL, Numbers.ParseLimit(text, out long v));
            Assert.Equal(0, v);
        }

        [Theory]
        [InlineData("2147483648")]
        [InlineData("99999999999999999999999\n")]
        public void Too_large_limits_are_erange(string text)
        {
            Assert.Equal(Errno.ERANGE, Numbers.ParseLimit(text, out long _));
        }

        [Theory]
        [InlineData("1", 1)]
        [InlineData("4000\n", 4000)]
        public void Pids_parse(string text, int want)
        {
            Assert.Equal(Errno.None, Numbers.ParsePid(text, out int pid));
            Assert.Equal(want, pid);
        }

        [Theory]
        [InlineData("abc")]
        [InlineData("12abc")]
        [InlineData("-1")]
        [InlineData("")]
        [InlineData("\n")]
        [InlineData("99999999999")]
        public void Bad_pids_are_einval(string text)
        {
            Assert.Equal(Errno.EINVAL, Numbers.ParsePid(text, out int _));
        }
    }
}
