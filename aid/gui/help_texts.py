"""Plain-language explanations shown as tooltips, keyed by setting name.

Shared by the Train tab and the live run view, so a setting is explained the
same way wherever it appears.
"""

TRAIN_TIPS: dict[str, str] = {
    "zoo_name": "The network design (architecture). Small networks train fast and suit "
    "small images; large ones can learn more but need more data and time.",
    "input_size": "Side length in pixels of the square image the network sees. Each "
    "cell is "
    "cropped around its centre to this size.",
    "color_mode": "gray: one brightness channel. rgb: three colour channels. Colour "
    "images "
    "are converted when the mode differs.",
    "normalization": "How pixel values are scaled before the network sees them. "
    "div255 (divide by 255) is a safe default.",
    "padding": "How to fill pixels when the crop window reaches past the image border.",
    "start_mode": "new: a fresh network with random weights. restart: the design of "
    "a saved "
    "model, new weights. continue: keep training a saved model.",
    "epochs": "Number of training rounds. Each round draws a fresh random sample of "
    "images "
    "from every training file (its events per epoch).",
    "batch_size": "Images processed together in one optimisation step. Larger "
    "batches are "
    "faster per image but need more memory.",
    "keras_epochs_per_epoch": "How often the network sees the same drawn sample "
    "before a new "
    "one is drawn.",
    "optimizer": "The method that adjusts the network's weights. Adam works well in "
    "most "
    "cases; SGD can generalise better with a tuned learning rate.",
    "learning_rate": "Size of each weight update. Too high: training jumps around or "
    "diverges. Too low: training is very slow. Use the finder to choose.",
    "lr_schedule": "How the learning rate changes during training: constant, decaying "
    "(exponential) or cycling between two values (cyclical).",
    "max_lr": "Upper learning rate of the cyclical schedule.",
    "step_size_epochs": "Epochs for the cyclical rate to go from low to high (half "
    "a cycle).",
    "mode": "triangular: same range each cycle. triangular2: the range halves every "
    "cycle. "
    "exp_range: the range shrinks smoothly.",
    "gamma": "Shrink factor per step for exp_range mode.",
    "decay_steps": "Steps after which the learning rate has been multiplied by the "
    "decay rate.",
    "decay_rate": "Factor the learning rate is multiplied by every 'decay steps' "
    "steps.",
    "label_smoothing": "Makes the network less over-confident by softening the "
    "target labels "
    "(0 = off; 0.1 is typical).",
    "class_weights": "none: every image counts the same. balanced: images of rare "
    "classes count more, so small classes are not ignored. custom: choose how much "
    "each class counts (e.g. 2 for a class whose mistakes matter twice as much).",
    "freeze": "Train only part of the network: none (all layers), last_n (only the "
    "last N "
    "layers with weights) or dense_only (only the final fully connected layers). "
    "Useful when continuing a trained model.",
    "freeze_n": "Number of last layers (with weights) that keep training when "
    "'last_n' is "
    "chosen.",
    "dropout": "Fraction of connections switched off at random during training, "
    "against "
    "overfitting. Leave empty to keep the architecture's own value.",
    "events_per_epoch": "Images per file and epoch for all files (empty: use the "
    "table).",
    "validation_split": "Share of the training images set aside at the start to "
    "check the model on images it never learns from. Needed only when no file is "
    "marked as validation on the Data tab (off: use those files).",
    "split_by": "event: images of the same file may land on both sides. file: whole "
    "files go to validation. group: whole groups (donors, experiments) go to "
    "validation, the honest choice when images of one donor look alike.",
    "device": "Hardware that trains: auto uses every graphics card (GPU) and else "
    "the processor (CPU); cpu forces the processor; gpu or gpu:N one card; all "
    "every card.",
    "seed": "Start value of the random generator: the same seed repeats the same run.",
    "name": "Name of the run; files are saved in a folder of this name.",
}
