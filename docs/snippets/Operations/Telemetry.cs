using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DPoP.Http.Docs.Snippets.Operations;

/// <summary>Telemetry wiring, shown on the observability page.</summary>
public static class Telemetry
{
    public static void AddOpenTelemetry(WebApplicationBuilder builder)
    {
        #region opentelemetry
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource("DPoP.Http")            // dpop.token.acquire, dpop.token.request, dpop.nonce_retry, …
                .AddSource("System.Net.Http"))     // .NET's own HTTP client spans, beneath ours
            .WithMetrics(metrics => metrics
                .AddMeter("DPoP.Http"));           // dpop.proofs.created, dpop.token.requests, …
        // Then an exporter of your choice, e.g. UseOtlpExporter() from OpenTelemetry.Exporter.OpenTelemetryProtocol.
        #endregion
    }

    public static void ConfigureLogLevels(WebApplicationBuilder builder)
    {
        #region log-levels
        // Warnings and state changes of DPoP.Http (all four categories start with "DPoP.Http").
        builder.Logging.AddFilter("DPoP.Http", LogLevel.Information);

        // IHttpClientFactory's own loggers attach raw request headers (Authorization, DPoP) to their Trace
        // records: keep them at Debug or above wherever a structured sink stores log state.
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Debug);
        #endregion
    }
}
