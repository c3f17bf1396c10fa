using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DPoP.Http.Tests.Wire;

/// <summary>
/// A DPoP handler without DI over a real <see cref="SocketsHttpHandler"/>, speaking the protocol a test server
/// serves: HTTP/1.1, or HTTP/2 over cleartext with prior knowledge. Connections go to loopback only.
/// </summary>
internal sealed class WireTestClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Version _version;

    public WireTestClient(HttpProtocols protocol, DPoPHandlerOptions? options = null, IDPoPAccessTokenProvider? tokens = null)
    {
        Key = DPoPKey.Generate();
        _version = protocol == HttpProtocols.Http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        Handler = new DPoPDelegatingHandler(Key, options, accessTokenProvider: tokens) { InnerHandler = LoopbackOnly.CreatePrimaryHandler() };
        _http = new HttpClient(Handler);
    }

    public DPoPKey Key { get; }

    public DPoPDelegatingHandler Handler { get; }

    public HttpRequestMessage Request(HttpMethod method, Uri uri, HttpContent? content = null) => new(method, uri)
    {
        Content = content,
        Version = _version,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public void Dispose()
    {
        _http.Dispose();
        Key.Dispose();
    }
}
