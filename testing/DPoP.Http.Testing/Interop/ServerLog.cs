using System.Text;

namespace DPoP.Http.Testing;

/// <summary>
/// Everything the node servers and npm wrote, line by line with a time and a source, kept in memory so a failing
/// test can show what the servers saw (their logs name each request, status and rejection reason).
/// </summary>
public sealed class ServerLog
{
    private readonly List<string> _lines = [];
    private readonly object _lock = new(); // a Monitor, so that waiters can be pulsed when a line arrives

    /// <summary>The number of lines so far: a mark to print from.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Appends one line a process wrote.</summary>
    public void Add(string source, string line)
    {
        var entry = $"{DateTime.UtcNow:HH:mm:ss.fff} {source}: {line}";
        lock (_lock)
        {
            _lines.Add(entry);
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Waits until no line has come for <paramref name="quiet"/>, at most <paramref name="limit"/>.</summary>
    public void WaitUntilQuiet(TimeSpan quiet, TimeSpan limit)
    {
        // Each line added pulses the lock; a whole quiet period without a pulse means the servers have finished writing.
        var deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        lock (_lock)
        {
            while (Environment.TickCount64 < deadline && Monitor.Wait(_lock, quiet))
            {
            }
        }
    }

    /// <summary>The last <paramref name="count"/> lines.</summary>
    public string Tail(int count) => Since(Count - count);

    /// <summary>The lines from <paramref name="mark"/> on (everything by default).</summary>
    public string Since(int mark = 0)
    {
        var text = new StringBuilder();
        lock (_lock)
        {
            for (var i = Math.Max(0, mark); i < _lines.Count; i++)
            {
                text.AppendLine(_lines[i]);
            }
        }

        return text.ToString();
    }
}
