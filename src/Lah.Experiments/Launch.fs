/// Data-parallel launches of `lah run` / `lah reproduce`: `--nproc N` starts N local ranks of the same command and
/// supervises them; `--rank/--world-size/--master-addr/--master-port` (or the RANK, WORLD_SIZE, MASTER_ADDR and
/// MASTER_PORT a launcher set) make this process one rank of a group.
module Lah.Experiments.Launch

open System
open System.Diagnostics
open System.Net
open System.Net.Sockets
open Lah.Torch.Distributed

/// The distributed options of one command line.
type DistArgs =
    {
        Nproc: int option
        Rank: int option
        WorldSize: int option
        MasterAddr: string option
        MasterPort: int option
        TimeoutSeconds: int option
    }

let private freePort () =
    let l = new TcpListener(IPAddress.Loopback, 0)
    l.Start()
    let port = (l.LocalEndpoint :?> IPEndPoint).Port
    l.Stop()
    port

/// argv without `--nproc N` (the children are ranks, not launchers), with a thread budget per rank unless one is given.
let childArgs (argv: string[]) (n: int) =
    let rec strip =
        function
        | "--nproc" :: _ :: rest -> strip rest
        | a :: rest -> a :: strip rest
        | [] -> []

    let args = strip (List.ofArray argv)

    if args |> List.contains "--threads" then
        args
    else
        // N ranks share the cores: libtorch in each would otherwise size its pool for the whole machine.
        args @ [ "--threads"; string (max 1 (Environment.ProcessorCount / n)) ]

/// Starts ranks 0..n-1 of this same command on this machine and waits for all of them. Rank 0 keeps the console; the
/// others' standard output is dropped (their errors still show). The first rank to fail stops the others; the exit
/// code is then non-zero.
let spawn (argv: string[]) (n: int) (d: DistArgs) =
    if n < 1 then
        raise (ArgumentException $"--nproc: expected at least 1 process, got {n}")

    if d.Rank.IsSome || d.WorldSize.IsSome then
        raise (ArgumentException "--nproc launches the ranks itself: give either --nproc or --rank/--world-size")

    let port = d.MasterPort |> Option.defaultWith freePort

    let host =
        match Environment.ProcessPath with
        | null -> raise (InvalidOperationException "--nproc: this process's executable path is unknown")
        | p -> p

    // Run as `dotnet lah.dll …`, the host is dotnet and the assembly comes first; as an apphost, the host is lah itself.
    let prefix =
        match Reflection.Assembly.GetEntryAssembly() with
        | null -> []
        | a when IO.Path.GetFileNameWithoutExtension host = "dotnet" -> [ a.Location ]
        | _ -> []

    let args = childArgs argv n

    let procs =
        [
            for rank in 0 .. n - 1 do
                let psi =
                    ProcessStartInfo(host, UseShellExecute = false, RedirectStandardOutput = (rank > 0))

                for a in prefix @ args do
                    psi.ArgumentList.Add a

                psi.Environment["RANK"] <- string rank
                psi.Environment["WORLD_SIZE"] <- string n
                psi.Environment["MASTER_ADDR"] <- defaultArg d.MasterAddr "127.0.0.1"
                psi.Environment["MASTER_PORT"] <- string port

                let p =
                    match Process.Start psi with
                    | null -> raise (InvalidOperationException $"--nproc: could not start rank {rank} ({host})")
                    | p -> p

                if rank > 0 then
                    p.OutputDataReceived.Add ignore
                    p.BeginOutputReadLine()

                rank, p
        ]

    // The first rank to fail is the cause; the others usually fail because of it (their peer vanished).
    let failedRank () =
        procs
        |> List.filter (fun (_, p) -> p.HasExited && p.ExitCode <> 0)
        |> List.sortBy (fun (_, p) -> p.ExitTime)
        |> List.tryHead

    let rec wait () =
        match failedRank () with
        | Some f -> Some f
        | None when procs |> List.forall (fun (_, p) -> p.HasExited) -> None
        | None ->
            // Wakes on the first still-running rank's exit, or re-checks the others every half second.
            let _, running = procs |> List.find (fun (_, p) -> not p.HasExited)
            running.WaitForExit 500 |> ignore
            wait ()

    match wait () with
    | None -> 0
    | Some(rank, p) ->
        for _, other in procs do
            if not other.HasExited then
                try
                    other.Kill true
                with _ ->
                    ()

        for _, other in procs do
            other.WaitForExit()

        eprintfn "lah: rank %d of %d exited with code %d; stopped the other ranks" rank n p.ExitCode
        1

/// This process's data-parallel group: from --rank/--world-size, else from the launcher's environment; None alone.
let join (d: DistArgs) : DataParallel option =
    let timeout = TimeSpan.FromSeconds(float (defaultArg d.TimeoutSeconds 1800))

    let options =
        match d.Rank, d.WorldSize with
        | Some rank, Some world ->
            Some(
                DistributedOptions(
                    rank,
                    world,
                    defaultArg d.MasterAddr "127.0.0.1",
                    defaultArg d.MasterPort DistributedOptions.DefaultPort,
                    Timeout = timeout
                )
            )
        | Some _, None
        | None, Some _ -> raise (ArgumentException "--rank and --world-size go together")
        | None, None when DistributedOptions.EnvironmentConfigured ->
            Some(DistributedOptions.FromEnvironment().WithTimeout timeout)
        | None, None -> None

    options
    // A world of one is a process alone (a bad rank in it is still refused by Init).
    |> Option.filter (fun o -> not (o.WorldSize = 1 && o.Rank = 0))
    |> Option.map (fun o -> DataParallel(ProcessGroup.Init o))
