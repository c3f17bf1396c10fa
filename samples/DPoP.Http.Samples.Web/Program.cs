// DPoP.Http for web apps: users sign in with OpenID Connect, and the app calls an API as the signed-in user with a
// DPoP-bound token and a fresh proof on every request. With no configuration it starts the demo OpenID provider and
// API in-process on 127.0.0.1; point it at a real provider with --Server:Authority=… --Server:ClientId=…
// --Server:ClientSecret=… --Server:ApiBaseAddress=…
using DPoP.Http.Samples.Web;

await using var app = await WebSample.StartAsync(args);
Console.WriteLine($"Open {app.BaseAddress} in a browser (Ctrl+C stops).");
await app.WaitForShutdownAsync();
