using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DPoP.Http.Testing;

/// <summary>
/// A real Redis (Debian's <c>redis-server</c>) on a free loopback port, without persistence, run as a child process
/// and killed at the end. Stop and start it again on the same port to simulate an outage (it comes back empty, as a
/// flushed Redis does). Missing <c>redis-server</c> fails the test under <c>CI=true</c> and ignores it locally.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string InstallHint = "install it with: sudo apt-get update && sudo apt-get install -y redis-server (.ci/run does this under CI)";

    private readonly string _executable;
    private Process? _process;

    private RedisServer(string executable, int port)
    {
        _executable = executable;
        Port = port;
    }

    /// <summary>The loopback port the server listens on (the same after a restart).</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string an app would use: default timeouts, as apps leave them.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Whether the server process is running (false after a stop).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free port; ignores (or under CI=true fails) the test when redis-server is missing.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var executable = Find();
        if (executable is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"redis-server is missing and CI=true: the fleet tests need a real Redis; {InstallHint}.");
            }

            Assert.Ignore($"redis-server not found, fleet tests skipped; {InstallHint}.");
        }

        var server = new RedisServer(executable!, FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again, after <see cref="Stop"/>) on the same port, and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                if (await CommandAsync("PING") == "+PONG")
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                Assert.Fail($"redis-server did not answer on 127.0.0.1:{Port}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server (an outage: connections drop, data is gone).</summary>
    public void Stop()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
            _process = null;
        }
    }

    /// <summary>One command over a fresh connection (RESP); returns the first line of the answer, e.g. <c>+OK</c>, <c>:1</c>.</summary>
    public async Task<string> CommandAsync(params string[] arguments)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        var answer = Encoding.UTF8.GetString(buffer, 0, read);
        var end = answer.IndexOf("\r\n", StringComparison.Ordinal);
        return end < 0 ? answer : answer[..end];
    }

    /// <summary>Kills the server.</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private static string? Find()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (directory.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
