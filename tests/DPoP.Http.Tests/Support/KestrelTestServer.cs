using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 (free port) that records every request it receives.</summary>
internal sealed class KestrelTestServer : IAsyncDisposable
{
    private readonly LoopbackKestrel _host;

    private KestrelTestServer(LoopbackKestrel host)
    {
        _host = host;
    }

    public Uri BaseAddress => _host.BaseAddress;

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    /// <param name="handle">Answers a request, after it was recorded.</param>
    /// <param name="protocols">HTTP/1.1 by default; <see cref="HttpProtocols.Http2"/> alone serves HTTP/2 over cleartext (prior knowledge).</param>
    public static async Task<KestrelTestServer> StartAsync(Func<HttpContext, SeenRequest, Task> handle, HttpProtocols protocols = HttpProtocols.Http1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        LoopbackKestrel.Listen(builder, new LoopbackEndpoint { Protocols = protocols });
        var app = builder.Build();
        KestrelTestServer? server = null;
        app.Run(async context =>
        {
            var request = context.Request;
            string? body = null;
            if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
            {
                using var reader = new StreamReader(request.Body);
                body = await reader.ReadToEndAsync();
            }

            var uri = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}");
            var record = new SeenRequest(new HttpMethod(request.Method), uri, [.. request.Headers["DPoP"].Select(v => v!)], request.Headers.Authorization.FirstOrDefault(), body);
            server!.Seen.Enqueue(record);
            await handle(context, record);
        });
        server = new KestrelTestServer(await LoopbackKestrel.StartAsync(app));
        return server;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
