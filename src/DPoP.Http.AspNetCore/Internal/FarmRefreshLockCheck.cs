using DPoP.Http.Internal;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// At start-up: warns, for each DPoP scheme, when sessions live in a shared store (any <see cref="IDistributedCache"/>
/// but the in-memory one) while refreshes are single flight per instance only (no lock engine, or the scheme's lock
/// turned off): the race of two instances refreshing one session, which providers answer by revoking the grant.
/// </summary>
internal sealed class FarmRefreshLockCheck(
    DPoPSchemeRegistry registry,
    IDistributedCache cache,
    SessionRefreshLock farmLocks,
    ILoggerFactory loggerFactory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (cache is MemoryDistributedCache)
        {
            return Task.CompletedTask;
        }

        var logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);
        foreach (var scheme in registry.Schemes)
        {
            if (!farmLocks.IsEnabled(scheme))
            {
                var why = farmLocks.ProviderName is null ? "no IDistributedLockProvider is registered" : "UseDistributedRefreshLock is false";
                DPoPWebLog.FarmWithoutRefreshLock(logger, scheme, cache.GetType().FullName ?? cache.GetType().Name, why);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
