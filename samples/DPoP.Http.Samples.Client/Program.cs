// DPoP.Http end to end: a worker-style app whose HttpClients get DPoP from one line, AddDPoP().
// With no configuration it starts the demo authorization + resource server in-process on 127.0.0.1; point it at a
// real server with --Server:TokenEndpoint=… --Server:ApiBaseAddress=… --Server:ClientId=… --Server:ClientSecret=…
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

builder.Services.AddSingleton(settings);
builder.Services.AddTransient<ConsoleTraceHandler>();

// The token client and the API client share one key (KeyName), so the token's cnf.jkt matches the API's proofs.
builder.Services.AddHttpClient<TokenClient>()
    .AddDPoP(o => o.KeyName = "sample")
    .AddHttpMessageHandler<ConsoleTraceHandler>();
builder.Services.AddHttpClient<OrdersApi>(c => c.BaseAddress = settings.ApiBaseAddress)
    .AddDPoP(o => o.KeyName = "sample")
    .AddHttpMessageHandler<ConsoleTraceHandler>();

using var host = builder.Build();
await host.StartAsync();

Console.WriteLine();
Console.WriteLine("1. Token request (client credentials), proof without ath:");
var token = await host.Services.GetRequiredService<TokenClient>().RequestTokenAsync();
Console.WriteLine($"   -> token_type {token.TokenType}, expires in {token.ExpiresIn} s, bound to key {token.BoundKeyThumbprint}");

var api = host.Services.GetRequiredService<OrdersApi>();
Console.WriteLine();
Console.WriteLine("2. GET /api/orders with Authorization: DPoP and a proof carrying ath:");
Console.WriteLine($"   -> {await api.GetOrdersAsync(token.AccessToken)}");

Console.WriteLine();
Console.WriteLine("3. POST /api/orders with a JSON body (the resource server's nonce is known now, so no challenge):");
Console.WriteLine($"   -> {await api.CreateOrderAsync(token.AccessToken, new { item = "book", quantity = 2 })}");

if (demo is not null)
{
    Console.WriteLine();
    Console.WriteLine($"Server statistics: {demo.Statistics}");
}

await host.StopAsync();
