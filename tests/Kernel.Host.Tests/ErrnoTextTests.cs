using Kernel.Abi;
using Xunit;

public class ErrnoTextTests
{
    // The texts are glibc's strerror(3): what users of Linux read.
    [Theory]
    [InlineData(Errno.EEXIST, 17, "File exists")]
    [InlineData(Errno.ERANGE, 34, "Numerical result out of range")]
    [InlineData(Errno.EBUSY, 16, "Device or resource busy")]
    [InlineData(Errno.ESRCH, 3, "No such process")]
    [InlineData(Errno.EPERM, 1, "Operation not permitted")]
    [InlineData(Errno.EAGAIN, 11, "Resource temporarily unavailable")]
    [InlineData(Errno.ENOMEM, 12, "Cannot allocate memory")]
    [InlineData(Errno.EROFS, 30, "Read-only file system")]
    [InlineData(Errno.EACCES, 13, "Permission denied")]
    [InlineData(Errno.ENOSPC, 28, "No space left on device")]
    [InlineData(Errno.EBADF, 9, "Bad file descriptor")]
    [InlineData(Errno.EPIPE, 32, "Broken pipe")]
    [InlineData(Errno.EFAULT, 14, "Bad address")]
    [InlineData(Errno.ENODEV, 19, "No such device")]
    [InlineData(Errno.EFBIG, 27, "File too large")]
    public void Numbers_and_texts_match_Linux_and_glibc(Errno e, int number, string text)
    {
        Assert.Equal(number, (int)e);
        Assert.Equal(text, ErrnoText.Message(e));
    }

    [Fact]
    public void Every_defined_errno_has_its_own_text()
    {
        var seen = new System.Collections.Generic.HashSet<string>();
        foreach (Errno e in System.Enum.GetValues<Errno>())
        {
            string text = ErrnoText.Message(e);
            Assert.NotEqual("Unknown error", text);
            Assert.True(seen.Add(text), $"duplicate text for {e}");
        }
    }
}
