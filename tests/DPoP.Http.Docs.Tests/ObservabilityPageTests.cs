using System.Diagnostics.Metrics;
using System.Reflection;
using DPoP.Http.Docs.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Docs.Tests;

/// <summary>
/// The observability pages list every log event (id and level: log-events.md), every instrument (name, unit, kind:
/// observability.md) and every name of the telemetry contract (meter, source, spans, tags, log categories: either page).
/// </summary>
public sealed class ObservabilityPageTests
{
    private const string Page = "articles/operations/observability.md";
    private const string LogPage = "articles/operations/log-events.md";

    [Test]
    public void LogEvents_EveryLoggerMessage_HasARowWithItsIdAndLevel()
    {
        var rows = DocsPage.Read(LogPage).TableRows();
        var events = PackageAssemblies.All
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .ToList();

        var missing = events
            .Where(e => !rows.Any(r => r.Length > 1 && r[0] == e.Attribute!.EventId.ToString(System.Globalization.CultureInfo.InvariantCulture) && r[1] == e.Attribute.Level.ToString()))
            .Select(e => $"{e.Attribute!.EventId} ({e.Attribute.Level}, {e.Method.DeclaringType!.Name}.{e.Method.Name})")
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.GreaterThan(50), "the [LoggerMessage] methods were not found");
            Assert.That(missing, Is.Empty, () => $"{LogPage} has no '| id | Level |' row for these log events: {string.Join(", ", missing)}");
        });
    }

    [Test]
    public void TelemetryNames_EveryConstant_AppearsOnThePage()
    {
        var text = string.Join('\n', DocsPage.Read(Page).Lines.Concat(DocsPage.Read(LogPage).Lines));
        var names = PackageAssemblies.Core.GetType("DPoP.Http.Internal.DPoPTelemetryNames", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (Field: f.Name, Value: (string)f.GetRawConstantValue()!))
            .ToList();

        var missing = names.Where(n => !text.Contains($"`{n.Value}`", StringComparison.Ordinal)).Select(n => $"{n.Field} = {n.Value}").ToList();

        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Count.GreaterThan(30), "DPoPTelemetryNames' constants were not found");
            Assert.That(missing, Is.Empty, () => $"{Page} and {LogPage} do not name these telemetry constants (in backticks): {string.Join(", ", missing)}");
        });
    }

    [Test]
    public void Instruments_EveryInstrumentOfTheMeter_HasARowWithItsUnitAndKind()
    {
        var rows = DocsPage.Read(Page).TableRows();
        var instruments = PublishedInstruments();

        var missing = instruments
            .Where(i => !rows.Any(r => r.Length > 2 && r[0] == i.Name && r[1] == i.Unit && r[2] == Kind(i)))
            .Select(i => $"{i.Name} ({i.Unit}, {Kind(i)})")
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(instruments.Select(i => i.Name), Does.Contain("dpop.proofs.created").And.Contain("dpop.token.request.duration").And.Contain("dpop.user_sessions.expired"));
            Assert.That(missing, Is.Empty, () => $"{Page} has no '| name | unit | kind |' row for these instruments: {string.Join(", ", missing)}");
        });
    }

    private static string Kind(Instrument instrument)
    {
        var type = instrument.GetType();
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{type.GetGenericArguments()[0].Name switch { "Int64" => "long", "Double" => "double", var other => other }}>";
    }

    /// <summary>Creates the instrument sets of both packages (their internal factories, by reflection) on a fresh meter factory and collects what they publish.</summary>
    private static List<Instrument> PublishedInstruments()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var published = new List<Instrument>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == "DPoP.Http")
            {
                lock (published)
                {
                    published.Add(instrument);
                }
            }
        };
        listener.Start();

        foreach (var metrics in new[] { "DPoP.Http.Internal.DPoPMetrics", "DPoP.Http.Internal.DPoPTokenMetrics" })
        {
            PackageAssemblies.Core.GetType(metrics, throwOnError: true)!.GetMethod("Create", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [meterFactory]);
        }

        Activator.CreateInstance(PackageAssemblies.All[1].GetType("DPoP.Http.AspNetCore.Internal.DPoPWebMetrics", throwOnError: true)!, [meterFactory]);
        services.Dispose();
        return published.GroupBy(i => i.Name).Select(g => g.First()).ToList();
    }
}
