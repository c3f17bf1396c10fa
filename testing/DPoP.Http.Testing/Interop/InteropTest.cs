using NUnit.Framework.Interfaces;

namespace DPoP.Http.Testing;

/// <summary>Shows what the servers logged during a test when that test fails: their logs give the rejection reasons.</summary>
public abstract class InteropTest
{
    private int _logMark;

    /// <summary>Remembers where the servers' log stands when the test starts.</summary>
    [SetUp]
    public void MarkServerLog() => _logMark = InteropServers.Log.Count;

    /// <summary>Prints what the servers logged during the test, when it failed.</summary>
    [TearDown]
    public void ShowServerLogOnFailure()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            InteropServers.TestFailed();

            // The servers log a request once they have answered it, and the line reaches us a moment later.
            InteropServers.Log.WaitUntilQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
            TestContext.Out.WriteLine("--- what npm and the servers logged during this test ---");
            TestContext.Out.WriteLine(InteropServers.Log.Since(_logMark));
        }
    }
}
