using Kernel.Sched;
using Xunit;

namespace Kernel.Sched.Tests
{
    public class SignalsTests
    {
        [Theory]
        [InlineData("2", 2)]
        [InlineData("INT", 2)]
        [InlineData("SIGINT", 2)]
        [InlineData("9", 9)]
        [InlineData("KILL", 9)]
        [InlineData("SIGKILL", 9)]
        [InlineData("13", 13)]
        [InlineData("PIPE", 13)]
        [InlineData("SIGPIPE", 13)]
        [InlineData("15", 15)]
        [InlineData("TERM", 15)]
        [InlineData("SIGTERM", 15)]
        public void TryParse_accepts_kill1_spellings(string text, int expected)
        {
            Assert.True(Signals.TryParse(text, out int sig));
            Assert.Equal(expected, sig);
        }

        [Theory]
        [InlineData("-9")]
        [InlineData("kill")]
        [InlineData("sigterm")]
        [InlineData("Kill")]
        [InlineData("0")]
        [InlineData("")]
        [InlineData("HUP")]
        [InlineData("SIGHUP")]
        [InlineData("09")]
        [InlineData(" 9")]
        [InlineData(null)]
        public void TryParse_refuses_the_rest(string text)
        {
            Assert.False(Signals.TryParse(text, out int sig));
            Assert.Equal(0, sig);
        }

        [Fact]
        public void Names()
        {
            Assert.Equal("INT", Signals.Name(Signals.SIGINT));
            Assert.Equal("KILL", Signals.Name(Signals.SIGKILL));
            Assert.Equal("TERM", Signals.Name(Signals.SIGTERM));
            Assert.Equal("PIPE", Signals.Name(Signals.SIGPIPE));
            Assert.True(Signals.IsFatal(13) && Signals.IsValid(13));
            Assert.Equal("5", Signals.Name(5));
            Assert.True(Signals.IsFatal(9) && !Signals.IsFatal(0) && !Signals.IsFatal(1));
            Assert.True(Signals.IsValid(0) && Signals.IsValid(15) && !Signals.IsValid(64));
        }

        [Fact]
        public void Errno_values_are_linux_ones()
        {
            Assert.Equal(1, (int)Errno.EPERM);
            Assert.Equal(3, (int)Errno.ESRCH);
            Assert.Equal(4, (int)Errno.EINTR);
            Assert.Equal(10, (int)Errno.ECHILD);
            Assert.Equal(11, (int)Errno.EAGAIN);
            Assert.Equal(22, (int)Errno.EINVAL);
        }
    }
}
