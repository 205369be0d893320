package optim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/losses"
	"github.com/gorgonia-bnn/bnn/optim"
)

// ExampleEarlyStopping validates on held-out data after every epoch and
// stops when the validation RMSE has not improved for 5 epochs, putting
// the best epoch's parameters back.
func ExampleEarlyStopping() {
	train, err := datasets.Sine(200, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	val, err := datasets.Sine(100, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	net, err := sineNet()
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(net, graph.Input(1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.Samples(2), optim.BatchSize(50), optim.Quiet(),
		optim.Validation(&val, optim.RMSE()),
		// optim.Report(optim.Console(os.Stderr)) would print a line per epoch.
		optim.EarlyStopping(5, optim.StopMonitor("val_rmse"), optim.StopRestoreBest()))
	if err != nil {
		fmt.Println(err)
		return
	}
	history, err := trainer.Fit(context.Background(), &train, 300)
	if err != nil {
		fmt.Println(err)
		return
	}
	best := history.Epochs[history.BestEpoch-history.Epochs[0].Epoch]
	fmt.Println("stopped early:", history.StoppedEarly)
	fmt.Println("best validation RMSE below 0.3:", best.Metrics["val_rmse"] < 0.3)
	// Output:
	// stopped early: true
	// best validation RMSE below 0.3: true
}

// ExampleTrainer_renyi trains on the Renyi bound with alpha = 0.5 (between
// the ELBO at 1 and the importance-weighted bound at 0). The layers use
// the Monte-Carlo KL, whose per-sample log q - log p the bound needs.
func ExampleTrainer_renyi() {
	data, err := datasets.Sine(200, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	mlp, err := bayesnodes.NewMLP([]int{1, 32, 1}, bayesnodes.WithKL(bayesnodes.KLMonteCarlo))
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(mlp.Apply, graph.Input(1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	renyi, err := losses.NewRenyi(losses.GaussianNLL{Sigma: 0.1}, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	trainer, err := optim.NewTrainer(model, renyi, adam, optim.Samples(4), optim.BatchSize(50), optim.Quiet())
	if err != nil {
		fmt.Println(err)
		return
	}
	history, err := trainer.Fit(context.Background(), &data, 60)
	if err != nil {
		fmt.Println(err)
		return
	}
	first, last := history.Epochs[0], history.Epochs[len(history.Epochs)-1]
	fmt.Println("loss improved:", last.Loss < first.Loss)
	// Output:
	// loss improved: true
}

// ExampleNewCSV logs every epoch to a CSV file, replaced atomically after
// each epoch (CSVAppend would add to the file of an earlier run instead).
func ExampleNewCSV() {
	dir, err := os.MkdirTemp("", "csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "train.csv")
	log, err := optim.NewCSV(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	train, err := datasets.Sine(100, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	val, err := datasets.Sine(50, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	net, err := sineNet()
	if err != nil {
		fmt.Println(err)
		return
	}
	model, err := graph.NewModel(net, graph.Input(1), graph.Seed(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	elbo, err := losses.NewELBO(losses.GaussianNLL{Sigma: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	adam, err := optim.NewAdam(0.01)
	if err != nil {
		fmt.Println(err)
		return
	}
	trainer, err := optim.NewTrainer(model, elbo, adam, optim.Quiet(),
		optim.Validation(&val, optim.RMSE()), optim.Report(log))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := trainer.Fit(context.Background(), &train, 3); err != nil {
		fmt.Println(err)
		return
	}
	text, err := os.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	fmt.Println(lines[0])
	fmt.Println("rows:", len(lines)-1)
	// Output:
	// epoch,loss,fit,kl,seconds,val_loss,val_fit,val_kl,val_rmse
	// rows: 3
}
