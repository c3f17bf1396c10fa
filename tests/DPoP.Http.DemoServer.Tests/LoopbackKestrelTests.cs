using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The loopback host every test server starts through: 127.0.0.1, free ports, the address of each endpoint.</summary>
[Category("Integration")]
public sealed class LoopbackKestrelTests
{
    [Test]
    public async Task StartAsync_TwoEndpoints_EachAnswersOnItsOwnLoopbackPort_InTheOrderGiven()
    {
        var builder = WebApplication.CreateSlimBuilder();
        LoopbackKestrel.Listen(builder, LoopbackEndpoint.Http1, new LoopbackEndpoint { Protocols = HttpProtocols.Http2 });
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(context.Request.Protocol));
        await using var server = await LoopbackKestrel.StartAsync(app);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var http2 = new HttpRequestMessage(HttpMethod.Get, server.BaseAddresses[1]) { Version = new Version(2, 0), VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var first = await http.GetStringAsync(server.BaseAddress);
        using var second = await http.SendAsync(http2);
        var secondBody = await second.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(server.BaseAddresses.Select(a => a.Host), Is.All.EqualTo("127.0.0.1"));
            Assert.That(server.BaseAddresses[0].Port, Is.Not.EqualTo(server.BaseAddresses[1].Port));
            Assert.That(first, Is.EqualTo("HTTP/1.1"));
            Assert.That(secondBody, Is.EqualTo("HTTP/2"), "the second endpoint serves HTTP/2 with prior knowledge");
        });
    }

    [Test]
    public async Task StartAsync_AppWithItsOwnUrls_ReadsTheBoundAddress()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0"]);
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("ok"));
        await using var server = await LoopbackKestrel.StartAsync(app);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var body = await http.GetStringAsync(server.BaseAddress);

        Assert.Multiple(() =>
        {
            Assert.That(server.BaseAddress.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(server.BaseAddress.Port, Is.Positive);
            Assert.That(body, Is.EqualTo("ok"));
        });
    }
}
