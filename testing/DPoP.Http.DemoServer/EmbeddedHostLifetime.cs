using Microsoft.Extensions.Hosting;

namespace DPoP.Http.DemoServer;

/// <summary>
/// The host lifetime of a server that lives inside another app. The default, ConsoleLifetime, would take over
/// Ctrl+C and SIGTERM and stop only this server while the app that started it keeps running; here the app's own
/// shutdown stays in charge and the server stops when it is disposed.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
