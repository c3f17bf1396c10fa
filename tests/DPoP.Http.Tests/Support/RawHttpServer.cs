using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 that answers every request with bytes the test writes itself: header values no
/// framework server would send (raw UTF-8 in a <c>Location</c>, control characters). One request per connection;
/// it records each request's head (request line and headers) as received.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RawHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>The whole response (status line, headers, body) to a request, given its head; set before the first request.</summary>
    public Func<string, byte[]> Answer { get; set; } = _ => Response("HTTP/1.1 500 Internal Server Error", [], "no answer set");

    /// <summary>The head of every request received, in order.</summary>
    public ConcurrentQueue<string> Heads { get; } = new();

    /// <summary>A response with <paramref name="headerBytes"/> (CRLF-terminated header lines) written as they are and a short body.</summary>
    public static byte[] Response(string statusLine, byte[] headerBytes, string body)
    {
        var bodyBytes = Encoding.ASCII.GetBytes(body);
        return [
            .. Encoding.ASCII.GetBytes(statusLine + "\r\n"),
            .. headerBytes,
            .. Encoding.ASCII.GetBytes($"Content-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n"),
            .. bodyBytes,
        ];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream, _stop.Token);
                Heads.Enqueue(head);
                await stream.WriteAsync(Answer(head), _stop.Token);
                await stream.FlushAsync(_stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1)
        {
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        return Encoding.Latin1.GetString([.. head]);
    }
}
