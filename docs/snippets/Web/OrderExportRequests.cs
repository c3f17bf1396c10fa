using System.Security.Claims;
using System.Threading.Channels;
using DPoP.Http.AspNetCore;
using Microsoft.Extensions.Hosting;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>Work queued from a request and done later, as the user who asked for it.</summary>
public sealed class OrderExportRequests
{
    private readonly Channel<ClaimsPrincipal> _users = Channel.CreateUnbounded<ClaimsPrincipal>();

    public ValueTask EnqueueAsync(ClaimsPrincipal user) => _users.Writer.WriteAsync(user);

    public IAsyncEnumerable<ClaimsPrincipal> ReadAllAsync(CancellationToken cancellationToken) => _users.Reader.ReadAllAsync(cancellationToken);
}

#region user-scope
/// <summary>Exports each queued user's orders, calling the API as that user.</summary>
public sealed class OrderExportWorker(OrderExportRequests queue, OrdersApi orders) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var user in queue.ReadAllAsync(stoppingToken))
        {
            // OrdersApi is an AddDPoPUserAccessToken("oidc") client: inside the scope it sends this user's token.
            using (DPoPUserScope.Begin(user))
            {
                var mine = await orders.GetOrdersAsync(stoppingToken);
                // … write the export
            }
        }
    }
}
#endregion
