using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using DPoP.Http.AspNetCore.Internal;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.AspNetCore.Tests;

/// <summary>The telemetry contract both packages share: one activity source, log event ids unique and in their area's range.</summary>
public sealed class TelemetryContractTests
{
    private static readonly Assembly Core = typeof(DPoPDelegatingHandler).Assembly;
    private static readonly Assembly Web = typeof(DPoPWebActivities).Assembly;

    [Test]
    public void ActivitySource_BothPackagesLoaded_OneSourceNamedDPoPHttp()
    {
        foreach (var type in Core.GetTypes().Concat(Web.GetTypes()).Where(t => t.Name is "DPoPActivities" or "DPoPWebActivities"))
        {
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        }

        var sources = new List<ActivitySource>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s =>
            {
                if (s.Name == "DPoP.Http")
                {
                    lock (sources)
                    {
                        sources.Add(s);
                    }
                }

                return false;
            },
        };
        ActivitySource.AddActivityListener(listener);

        Assert.That(sources.Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void LoggerMessages_BothPackages_EveryEventIdUniqueAndInItsAreaRange()
    {
        var events = LoggerMessages(Core).Concat(LoggerMessages(Web)).ToList();
        var problems = new List<string>();
        foreach (var (type, method, id) in events)
        {
            var (low, high) = type switch
            {
                "DPoPHandlerLog" => (1, 99),
                "DPoPTokenLog" => (100, 199),
                "DPoPWebLog" => (200, 299),
                _ => (0, -1),
            };
            if (id < low || id > high)
            {
                problems.Add($"{type}.{method}: event id {id} outside {low}-{high}");
            }
        }

        problems.AddRange(events.GroupBy(e => e.Id).Where(g => g.Count() > 1)
            .Select(g => $"event id {g.Key} used by {string.Join(", ", g.Select(e => $"{e.Type}.{e.Method}"))}"));

        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.GreaterThan(40), "found the log methods");
            Assert.That(problems, Is.Empty);
        });
    }

    private static IEnumerable<(string Type, string Method, int Id)> LoggerMessages(Assembly assembly) =>
        from type in assembly.GetTypes()
        from method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
        let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
        where attribute is not null
        select (type.Name, method.Name, attribute.EventId);
}
