using System.Net;
using System.Net.Sockets;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// A primary handler that connects every request to 127.0.0.1 at the URI's port, whatever its host name: tests can
/// use distinct host names (<c>localhost</c>, <c>a.test</c>) as distinct origins, and no byte can leave the machine.
/// </summary>
internal static class LoopbackOnly
{
    public static SocketsHttpHandler CreatePrimaryHandler() => new()
    {
        UseProxy = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
