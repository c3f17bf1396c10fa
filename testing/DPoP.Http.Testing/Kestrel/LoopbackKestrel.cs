using System.Globalization;
using System.Net;
using DPoP.Http.DemoServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Testing;

/// <summary>
/// A test's web app on Kestrel at <c>127.0.0.1</c>, port 0 (a free one), and the address it got: the one place the
/// tests start a loopback server and read its port. <see cref="Listen"/> before <c>Build()</c>, then
/// <see cref="StartAsync"/>; dispose to stop the app.
/// </summary>
/// <remarks>
/// <code>
/// var builder = WebApplication.CreateSlimBuilder();
/// LoopbackKestrel.Listen(builder);
/// var app = builder.Build();
/// app.MapGet("/", () => "hi");
/// await using var server = await LoopbackKestrel.StartAsync(app);
/// // server.BaseAddress is http://127.0.0.1:&lt;port&gt;/
/// </code>
/// An app whose address comes from its own configuration (<c>--urls=http://127.0.0.1:0</c>) starts the same way; its
/// address is read from what Kestrel reports.
/// </remarks>
public sealed class LoopbackKestrel : IAsyncDisposable
{
    private LoopbackKestrel(WebApplication app, IReadOnlyList<Uri> baseAddresses)
    {
        App = app;
        BaseAddresses = baseAddresses;
    }

    /// <summary>The running app.</summary>
    public WebApplication App { get; }

    /// <summary>The first endpoint's root, for example <c>http://127.0.0.1:54321/</c>.</summary>
    public Uri BaseAddress => BaseAddresses[0];

    /// <summary>Every endpoint's root, in the order they were given to <see cref="Listen"/>.</summary>
    public IReadOnlyList<Uri> BaseAddresses { get; }

    /// <summary>
    /// Makes Kestrel listen on <c>127.0.0.1</c>, a free port per endpoint, and nowhere else (configured URLs are
    /// ignored). Without <paramref name="endpoints"/>, one HTTP/1.1 endpoint.
    /// </summary>
    /// <param name="builder">The app's builder, before <c>Build()</c>.</param>
    /// <param name="endpoints">The endpoints, each on its own port.</param>
    public static void Listen(WebApplicationBuilder builder, params LoopbackEndpoint[] endpoints)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var listeners = new Listeners(endpoints.Length == 0 ? [LoopbackEndpoint.Http1] : endpoints);
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            listeners.Options.Clear();
            foreach (var endpoint in listeners.Endpoints)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen =>
                {
                    listen.Protocols = endpoint.Protocols;
                    if (endpoint.Https is { } https)
                    {
                        listen.UseHttps(https);
                    }

                    listeners.Options.Add(listen);
                });
            }
        });
    }

    /// <summary>Starts <paramref name="app"/> and reads the address of each endpoint.</summary>
    /// <param name="app">An app built from a builder given to <see cref="Listen"/>, or one that configures its own loopback URLs.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop the app.</returns>
    public static async Task<LoopbackKestrel> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync(cancellationToken);
        return new LoopbackKestrel(app, BaseAddressesOf(app));
    }

    /// <summary>
    /// The roots of a started app's endpoints: those given to <see cref="Listen"/>, in order, or else the first
    /// address Kestrel reports (for an app that started itself).
    /// </summary>
    /// <param name="app">A started app.</param>
    /// <returns>One base address per endpoint, each ending in '/'.</returns>
    public static IReadOnlyList<Uri> BaseAddressesOf(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<Listeners>() is not { } listeners)
        {
            return [KestrelAddress.BaseAddressOf(app.Services)];
        }

        var addresses = new Uri[listeners.Endpoints.Count];
        for (var i = 0; i < addresses.Length; i++)
        {
            // Kestrel writes the port it bound back into the endpoint's options.
            var port = listeners.Options[i].IPEndPoint!.Port;
            var scheme = listeners.Endpoints[i].Https is null ? "http" : "https";
            addresses[i] = new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://127.0.0.1:{port}/"));
        }

        return addresses;
    }

    /// <summary>Stops the app and releases it.</summary>
    /// <returns>A task that completes when the app has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>The endpoints asked for and Kestrel's options for them, filled when Kestrel is configured.</summary>
    private sealed class Listeners(IReadOnlyList<LoopbackEndpoint> endpoints)
    {
        public IReadOnlyList<LoopbackEndpoint> Endpoints { get; } = endpoints;

        public List<ListenOptions> Options { get; } = [];
    }
}
