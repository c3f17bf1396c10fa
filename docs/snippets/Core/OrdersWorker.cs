using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Docs.Snippets.Core;

#region worker
/// <summary>A background service that calls the API every minute.</summary>
public sealed class OrdersWorker(OrdersApi orders, ILogger<OrdersWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        do
        {
            var json = await orders.GetOpenOrdersAsync(stoppingToken);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Open orders: {Orders}", json);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
#endregion
