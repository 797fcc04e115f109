using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    public class HistoryTests
    {
        [Fact]
        public void Starts_empty()
        {
            var h = new History();
            Assert.Equal(0, h.Count);
            Assert.Null(h.Newest(0));
            Assert.Null(h.Get(0));
            Assert.Null(h.Get(-1));
        }

        [Fact]
        public void Add_orders_oldest_first()
        {
            var h = new History();
            Assert.True(h.Add("a"));
            Assert.True(h.Add("b"));
            Assert.Equal("a", h.Get(0));
            Assert.Equal("b", h.Get(1));
            Assert.Equal("b", h.Newest(0));
            Assert.Equal("a", h.Newest(1));
            Assert.Null(h.Newest(2));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData(" ")]
        [InlineData(" \t ")]
        public void Blank_lines_are_not_stored(string line)
        {
            var h = new History();
            Assert.False(h.Add(line));
            Assert.Equal(0, h.Count);
        }

        [Fact]
        public void Consecutive_duplicates_are_not_stored()
        {
            var h = new History();
            h.Add("ls");
            Assert.False(h.Add("ls"));
            Assert.True(h.Add("pwd"));
            Assert.True(h.Add("ls"));
            Assert.Equal(3, h.Count);
        }

        [Fact]
        public void Oldest_is_dropped_at_capacity()
        {
            var h = new History();
            for (int i = 0; i < History.Capacity; i++) h.Add("c" + i);
            Assert.Equal(64, h.Count);
            Assert.Equal("c0", h.Get(0));
            h.Add("new");
            Assert.Equal(64, h.Count);
            Assert.Equal("c1", h.Get(0));
            Assert.Equal("new", h.Newest(0));
            Assert.Equal("new", h.Get(63));
            Assert.Null(h.Get(64));
            for (int i = 0; i < 1000; i++) h.Add("x" + i);
            Assert.Equal(64, h.Count);
            Assert.Equal("x936", h.Get(0));
            Assert.Equal("x999", h.Newest(0));
        }

        [Fact]
        public void Clear_empties()
        {
            var h = new History();
            h.Add("a");
            h.Clear();
            Assert.Equal(0, h.Count);
            Assert.True(h.Add("a"));
        }
    }
}
