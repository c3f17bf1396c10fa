// DPoP.Http end to end: a worker-style app whose API client gets DPoP, and DPoP-bound tokens, from two lines.
// With no configuration it starts the demo authorization + resource server in-process on 127.0.0.1; point it at a
// real server with --Server:TokenEndpoint=… --Server:ApiBaseAddress=… --Server:ClientId=… --Server:ClientSecret=…
using DPoP.Http;
using DPoP.Http.DemoServer;
using DPoP.Http.Samples.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = null; }).SetMinimumLevel(LogLevel.Warning);
builder.Logging.AddFilter("DPoP.Http", LogLevel.Debug);

var settings = builder.Configuration.GetSection("Server").Get<ServerSettings>() ?? new ServerSettings();
await using var demo = settings.TokenEndpoint is null
    ? await DemoServer.StartAsync(new DemoServerOptions { OnEvent = e => Console.WriteLine($"      server: {e.Endpoint} -> {e.StatusCode} {e.Kind}: {e.Detail}") })
    : null;
if (demo is not null)
{
    settings = new ServerSettings { TokenEndpoint = demo.TokenEndpoint, ApiBaseAddress = demo.ApiBaseAddress, ClientId = "demo-client", ClientSecret = "demo-secret" };
    Console.WriteLine($"Demo server on {demo.BaseAddress} (authorization server and resource server, each demanding its own nonce)");
}

builder.Services.AddTransient<ConsoleTraceHandler>();

// The whole integration: DPoP proofs on every request, and DPoP-bound tokens from the token endpoint.
builder.Services.AddHttpClient<OrdersApi>(c => c.BaseAddress = settings.ApiBaseAddress)
    .AddDPoP()
    .AddDPoPClientCredentialsToken(o =>
    {
        o.TokenEndpoint = settings.TokenEndpoint;
        o.ClientId = settings.ClientId;
        o.ClientSecret = settings.ClientSecret;
        o.Scope = "orders";
    })
    .AddHttpMessageHandler<ConsoleTraceHandler>(); // sample only: prints what goes on the wire

using var host = builder.Build();
await host.StartAsync();

var api = host.Services.GetRequiredService<OrdersApi>();
var key = await host.Services.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync(nameof(OrdersApi), CancellationToken.None);
Console.WriteLine($"DPoP key: {key}");

Console.WriteLine();
Console.WriteLine("1. GET /api/orders: the first call fetches a DPoP-bound token (the token endpoint demands a nonce first),");
Console.WriteLine("   then the API demands its own nonce:");
Console.WriteLine($"   -> {await api.GetOrdersAsync()}");

Console.WriteLine();
Console.WriteLine("2. POST /api/orders with a JSON body: token cached, the API's nonce known, so one request:");
Console.WriteLine($"   -> {await api.CreateOrderAsync(new { item = "book", quantity = 2 })}");

if (demo is not null)
{
    Console.WriteLine();
    Console.WriteLine($"Server statistics: {demo.Statistics}");
}

await host.StopAsync();
