using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace DPoP.Http.Testing;

/// <summary>
/// One endpoint of a <see cref="LoopbackKestrel"/>: <c>127.0.0.1</c> on a free port, plain HTTP unless
/// <see cref="Https"/> is set.
/// </summary>
public sealed record LoopbackEndpoint
{
    /// <summary>HTTP/1.1 over cleartext, the default.</summary>
    public static LoopbackEndpoint Http1 { get; } = new();

    /// <summary>
    /// The protocols served; <see cref="HttpProtocols.Http2"/> alone over cleartext is HTTP/2 with prior knowledge.
    /// </summary>
    public HttpProtocols Protocols { get; init; } = HttpProtocols.Http1;

    /// <summary>
    /// TLS settings (server certificate, client certificate mode and validation) when the endpoint is HTTPS; null for
    /// plain HTTP.
    /// </summary>
    public HttpsConnectionAdapterOptions? Https { get; init; }
}
