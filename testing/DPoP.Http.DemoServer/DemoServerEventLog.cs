using Microsoft.AspNetCore.Http;

namespace DPoP.Http.DemoServer;

/// <summary>Records events and counts them in the statistics; the list is append-only and read as snapshots.</summary>
internal sealed class DemoServerEventLog
{
    private readonly List<DemoServerEvent> _events = [];
    private readonly Lock _lock = new();
    private readonly Action<DemoServerEvent>? _onEvent;

    public DemoServerEventLog(Action<DemoServerEvent>? onEvent) => _onEvent = onEvent;

    public DemoServerStatistics Statistics { get; } = new();

    public IReadOnlyList<DemoServerEvent> Snapshot()
    {
        lock (_lock)
        {
            return _events.ToArray();
        }
    }

    public void NonceChallenge(string endpoint, int statusCode, string detail, IReadOnlyDictionary<string, string>? claims)
    {
        Statistics.AddNonceChallenge();
        Record(new DemoServerEvent(DemoServerEventKinds.NonceChallenge, endpoint, statusCode, detail, claims));
    }

    public void Rejected(string endpoint, int statusCode, string detail, IReadOnlyDictionary<string, string>? claims)
    {
        Statistics.AddRejection();
        Record(new DemoServerEvent(DemoServerEventKinds.Rejected, endpoint, statusCode, detail, claims));
    }

    public void TokenIssued(string endpoint, string detail, IReadOnlyDictionary<string, string>? claims)
    {
        Statistics.AddTokenIssued();
        Record(new DemoServerEvent(DemoServerEventKinds.TokenIssued, endpoint, StatusCodes.Status200OK, detail, claims));
    }

    public void ResourceOk(string endpoint, string detail, IReadOnlyDictionary<string, string>? claims)
    {
        Statistics.AddResourceRequestAccepted();
        Record(new DemoServerEvent(DemoServerEventKinds.ResourceOk, endpoint, StatusCodes.Status200OK, detail, claims));
    }

    /// <summary>Records a step of the code flow (a pushed request, a code, a revocation, a sign-out) with status 200.</summary>
    public void Step(string kind, string endpoint, int statusCode, string detail) =>
        Record(new DemoServerEvent(kind, endpoint, statusCode, detail, ProofClaims: null));

    private void Record(DemoServerEvent serverEvent)
    {
        lock (_lock)
        {
            _events.Add(serverEvent);
        }

        // Outside the lock: the callback may be slow or read Events itself.
        _onEvent?.Invoke(serverEvent);
    }
}
