// DPoP.Http in a Blazor Web App: users sign in with OpenID Connect, and an interactive server component calls an API
// as the signed-in user over its circuit (no HttpContext there) with a DPoP-bound token and a fresh proof per request.
// With no configuration it starts the demo OpenID provider and API in-process on 127.0.0.1; point it at a real
// provider with --Server:Authority=… --Server:ClientId=… --Server:ClientSecret=… --Server:ApiBaseAddress=…
using DPoP.Http.Samples.Blazor;

await using var app = await BlazorSample.StartAsync(args);
Console.WriteLine($"Open {app.BaseAddress} in a browser (Ctrl+C stops).");
await app.WaitForShutdownAsync();
